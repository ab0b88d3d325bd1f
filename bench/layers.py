"""Where a call's CPU goes: the resource service with its interceptors taken off one at a time.

    python -m bench.layers serve --without logging,metrics    # env as for chorus_resource

Runs `python -m chorus_resource serve` (one process, the env's settings) in
which the named interceptors pass every handler through untouched: the
same server, minus those layers. Only the benchmark starts it (`make bench
BENCH_ARGS='--layers'`), once per row of `VARIANTS`, each taking one more
layer off, and measures the server's CPU per call under the same GetSong
load: the difference between two rows is what that layer costs a call.
Authentication stays in every row (without a tenant there is no call to
make), and so does everything after the interceptors: the handler, the
pool, the statement, the message.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from chorus_core.interceptors.base import Interceptor
from chorus_core.interceptors.decoding_interceptor import DecodingInterceptor
from chorus_core.interceptors.error_interceptor import ErrorInterceptor
from chorus_core.interceptors.logging_interceptor import LoggingInterceptor
from chorus_core.interceptors.metrics_interceptor import MetricsInterceptor
from chorus_core.interceptors.validation_interceptor import ValidationInterceptor
from chorus_resource.__main__ import run

LAYERS: dict[str, type[Interceptor]] = {
    "logging": LoggingInterceptor,
    "metrics": MetricsInterceptor,
    "errors": ErrorInterceptor,
    "decoding": DecodingInterceptor,
    "validation": ValidationInterceptor,
}
"""The interceptors a variant may take off, by name (authentication is never taken off)."""

VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("as served (one process)", ()),
    ("- the access log", ("logging",)),
    ("- metrics", ("logging", "metrics")),
    ("- errors, decoding, validation", ("logging", "metrics", "errors", "decoding", "validation")),
)
"""Each row: its title, and the layers taken off (each row takes off one more group)."""


def _passed_through(_self: Interceptor, _method: str, handler: Any) -> Any:
    return handler


def take_off(names: Sequence[str]) -> None:
    """Make each named interceptor leave every handler as it is, in this process."""
    for name in names:
        LAYERS[name].intercept = _passed_through  # type: ignore[method-assign,assignment]


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "serve" or argv[1] != "--without":
        print("usage: python -m bench.layers serve --without NAME[,NAME...]|-", file=sys.stderr)
        return 2
    names = [] if argv[2] == "-" else argv[2].split(",")
    unknown = [name for name in names if name not in LAYERS]
    if unknown:
        print(f"unknown layers {unknown}: choose from {sorted(LAYERS)}", file=sys.stderr)
        return 2
    take_off(names)
    return run(["serve"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
