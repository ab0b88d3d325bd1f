"""`python -m bench`: run the benchmark, print the table and the targets, write JSON.

    make bench                                  # PostgreSQL at 127.0.0.1:5432
    make bench BENCH_ARGS='--db sqlite'         # the embedded default
    python -m bench --only list_direct --seconds 3 --soak 0   # a quick look

Exit status: 0 when the run completed (whether targets were met or not; the
table says), 1 when it could not run, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bench.h2load import H2loadMissing
from bench.progress import Progress
from bench.report import finish, load, render, write_json
from bench.run import Options, benchmark
from bench.suite import DEFAULT_POSTGRES_URL

KEYS = (
    "list_direct",
    "list_filtered",
    "list_grpc_web",
    "list_envoy_grpc",
    "get",
    "create",
    "create_replay",
    "update",
    "login",
    "list_login_storm",
    "list_watchers",
)


def parse(argv: list[str] | None) -> Options | Path:
    """The options of a run, or the JSON file of a run to show again."""
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark the Chorus suite with h2load."
    )
    parser.add_argument(
        "--db",
        choices=("postgresql", "sqlite"),
        default="postgresql",
        help="database of both services (%(default)s)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("CHORUS_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
        help="server where fresh databases are made and dropped (CHORUS_BENCH_POSTGRES_URL, "
        "default %(default)s; loopback only)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[16, 64],
        help="concurrent calls of each run (%(default)s)",
    )
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="measured seconds of each run (%(default)s)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=1.0,
        help="unmeasured warm-up seconds before each run (%(default)s)",
    )
    parser.add_argument(
        "--soak",
        type=float,
        default=60.0,
        help="seconds of the memory soak, 0 for none (%(default)s)",
    )
    parser.add_argument(
        "--profile",
        type=float,
        default=0.0,
        help="seconds of py-spy on the resource service after the runs, 0 for none",
    )
    parser.add_argument(
        "--profile-of",
        choices=(*KEYS, "reference_list", "reference_get"),
        default="list_direct",
        help="the scenario (c=16) the profile is taken under (%(default)s); a reference_ one "
        "profiles the bare reference instead of the resource service",
    )
    parser.add_argument(
        "--layers",
        action="store_true",
        help="then GetSong (c=16) on one more resource process per row of bench/layers.py, "
        "each with more interceptors taken off: what each costs a call, in CPU",
    )
    parser.add_argument(
        "--resource-workers",
        type=int,
        default=2,
        help="CHORUS_WORKERS of the resource service (%(default)s)",
    )
    parser.add_argument(
        "--auth-workers",
        type=int,
        default=1,
        help="CHORUS_WORKERS of the auth service (%(default)s)",
    )
    parser.add_argument(
        "--big", type=int, default=10_000, help="songs of the big tenant (%(default)s)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=KEYS,
        default=[],
        help="run only these scenarios (and the ceilings)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Options.out,
        help="folder of the run folders and JSON (%(default)s)",
    )
    parser.add_argument(
        "--no-install", action="store_true", help="never apt-get install h2load; explain instead"
    )
    parser.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the services' and Envoy's logs in the run folder",
    )
    parser.add_argument(
        "--show",
        type=Path,
        metavar="JSON",
        help="print the table and targets of a finished run again "
        "(e.g. var/bench/latest-sqlite.json)",
    )
    args = parser.parse_args(argv)
    if args.show is not None:
        return Path(args.show)
    if min(args.concurrency) < 1 or args.seconds < 1 or args.warmup < 0 or args.soak < 0:
        parser.error("concurrency and seconds must be at least 1, warmup and soak at least 0")
    if args.big < 20 or args.resource_workers < 1 or args.auth_workers < 1:
        parser.error("--big must be at least 20 and the worker counts at least 1")
    return Options(
        db=args.db,
        concurrency=tuple(args.concurrency),
        seconds=args.seconds,
        warmup=args.warmup,
        soak=args.soak,
        profile=args.profile,
        profile_of=args.profile_of,
        layers=args.layers,
        auth_workers=args.auth_workers,
        resource_workers=args.resource_workers,
        big=args.big,
        postgres_url=args.postgres_url,
        out=args.out.resolve(),
        install=not args.no_install,
        only=tuple(args.only),
        keep_logs=args.keep_logs,
    )


def steps(options: Options) -> int:
    # The ceilings (echo; on PostgreSQL the bare ListSongs and GetSong too) run first and last.
    bases = 3 if options.db == "postgresql" else 1
    chosen = [k for k in KEYS if not options.only or k in options.only]
    runs = (len(chosen) + 2 * bases) * len(options.concurrency)
    return runs + (options.soak > 0) + (options.profile > 0) + options.layers


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    if isinstance(options, Path):
        print(render(load(options)))
        return 0
    progress = Progress(steps(options))
    try:
        report = asyncio.run(benchmark(options, progress))
    except H2loadMissing as missing:
        print(missing, file=sys.stderr)
        return 1
    except RuntimeError as error:  # a part that did not start, h2load failing, ...
        print(f"\nthe benchmark could not run: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted: every process the benchmark started was stopped", file=sys.stderr)
        return 1
    finish(report)
    print()
    print(render(report))
    paths = write_json(report, Path(report.folder))
    print(f"\nJSON: {', '.join(str(p) for p in paths)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
