# syntax=docker/dockerfile:1
# The Chorus Python services: one Dockerfile, one image per service (targets).
#
#   docker build -f deploy/docker/python.Dockerfile --target auth     -t chorus-auth .
#   docker build -f deploy/docker/python.Dockerfile --target resource -t chorus-resource .
#
# Build from the repository root (the context); python.Dockerfile.dockerignore
# (next to this file, read by BuildKit) lets in only what the image needs.
# The final images hold the Python runtime, a virtual env with the services
# and their dependencies (the migrations are package data): no compiler, no pip, no sources
# of tests or tools. They run as uid 10001, write nothing to their own
# filesystem (bytecode is compiled at build time), and answer the gRPC health
# protocol (HEALTHCHECK below; Kubernetes uses its own native gRPC probes).

# The base: the public image by default; deploy/podman/images.py passes one
# made from Debian packages where no registry is reachable (deploy/README.md).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual env with the project installed (not editable) ------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/chorus
WORKDIR /src
# The pinned dependencies first, so that changing the code reuses this layer.
COPY pyproject.toml README.md ./
# pip settings may come as a build secret (`--secret id=pip-conf,src=FILE`, with
# the CA bundle it names as `id=build-ca`): an index or a proxy certificate of
# the building machine, never baked into a layer. Without them pip uses PyPI.
RUN --mount=type=secret,id=pip-conf --mount=type=secret,id=build-ca \
    /opt/chorus/bin/python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && if [ -s /run/secrets/pip-conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip-conf; fi \
    && /opt/chorus/bin/pip install --no-cache-dir --requirement /tmp/requirements.txt
COPY services/ services/
COPY gen/python/ gen/python/
# pip compiles every module to bytecode while installing (its build backend
# comes from the index too); then pip leaves the env.
RUN --mount=type=secret,id=pip-conf --mount=type=secret,id=build-ca \
    if [ -s /run/secrets/pip-conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip-conf; fi \
    && /opt/chorus/bin/pip install --no-cache-dir --no-deps . \
    && /opt/chorus/bin/pip uninstall --yes pip

# --- runtime: what every service image shares ---------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/chorus/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 chorus \
    && useradd --system --uid 10001 --gid chorus --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin chorus
COPY --from=build /opt/chorus /opt/chorus
COPY deploy/docker/grpc_health_probe.py /opt/chorus/bin/grpc_health_probe.py
WORKDIR /opt/chorus
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001

# --- the auth service -----------------------------------------------------------
FROM runtime AS auth
ENV CHORUS_AUTH_LISTEN=0.0.0.0:50051 \
    CHORUS_AUTH_KEYS_DIR=/run/secrets/signing_keys
EXPOSE 50051
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/opt/chorus/bin/grpc_health_probe.py", "--listen-env", "CHORUS_AUTH_LISTEN", "--service", "chorus.auth.v1.AuthService"]
CMD ["python", "-m", "chorus_auth", "serve"]

# --- the resource service (last: the default target) ----------------------------
FROM runtime AS resource
ENV CHORUS_RESOURCE_LISTEN=0.0.0.0:50052
EXPOSE 50052
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/opt/chorus/bin/grpc_health_probe.py", "--listen-env", "CHORUS_RESOURCE_LISTEN", "--service", "chorus.resource.v1.SongService"]
CMD ["python", "-m", "chorus_resource", "serve"]
