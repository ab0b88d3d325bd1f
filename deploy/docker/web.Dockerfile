# syntax=docker/dockerfile:1
# The Chorus web app: built with Vite, served as static files by nginx.
#
#   docker build -f deploy/docker/web.Dockerfile \
#       --build-arg VITE_GATEWAY_URL=https://api.chorus.example.com -t chorus-web .
#
# Build from the repository root; web.Dockerfile.dockerignore lets in web/
# (without node_modules/ or dist/) and the nginx config. VITE_* values are
# read at build time and baked into the bundle: one image per gateway URL.
# The page's origin must be one of the gateway's CORS origins.

# The bases: the public images by default; deploy/podman/images.py passes ones
# made from Debian packages where no registry is reachable (deploy/README.md).
ARG NODE_IMAGE=node:22-bookworm-slim
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.29-alpine

# --- build: npm ci, then typecheck and vite build into dist/ --------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /web
COPY web/package.json web/package-lock.json web/.npmrc ./
# npm settings may come as a build secret (`--secret id=npmrc,src=FILE`, with the
# CA bundle it names as `id=build-ca`): a registry or a proxy certificate of the
# building machine, never baked into a layer. Without them npm uses its default.
RUN --mount=type=secret,id=npmrc --mount=type=secret,id=build-ca \
    if [ -s /run/secrets/npmrc ]; then export NPM_CONFIG_GLOBALCONFIG=/run/secrets/npmrc; fi \
    && npm ci --no-audit --no-fund
COPY web/ ./
ARG VITE_GATEWAY_URL=http://localhost:8080
ARG VITE_PAGE_SIZE=10
ENV VITE_GATEWAY_URL=${VITE_GATEWAY_URL} \
    VITE_PAGE_SIZE=${VITE_PAGE_SIZE}
RUN npm run build

# --- runtime: nginx as a non-root user, static files only -----------------------
FROM ${NGINX_IMAGE} AS web
COPY deploy/docker/nginx.conf /etc/nginx/conf.d/default.conf
COPY --from=build /web/dist/ /usr/share/nginx/html/
# nginx-unprivileged runs as uid 101 and writes only under /tmp (pid, temp files),
# so the root filesystem can be read-only with a tmpfs on /tmp.
USER 101
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["wget", "--quiet", "--spider", "http://127.0.0.1:8080/healthz"]
