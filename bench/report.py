"""The results: issue 13's targets marked met or not, a table on screen, JSON on disk."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.run import Report, Result

SHORT = {
    "echo": "echo",
    "auth": "auth",
    "resource": "res",
    "envoy": "envoy",
    "postgres": "pg",
    "reference": "ref",
    "h2load": "h2load",
    "others": "other",
}
BUSY_MACHINE_PERCENT = 25.0
"""CPU used by anything else during a run past which the table marks the run (!)."""


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None
    """None: not measured in this run (say which run measures it)."""


def _find(results: Iterable[Result], key: str) -> dict[int, Result]:
    return {r.concurrency: r for r in results if r.key == key}


def _ratio_target(
    results: list[Result], key: str, name: str, at_least: float, base: str = "rps"
) -> Target:
    """`key`'s calls/s as a ratio (`base`: to the echo ceiling, or "reference") at every c."""
    found = _find(results, key)
    if not found:
        return Target(name, "not run", None)
    ratios = {c: r.ratio.get(base, math.nan) for c, r in sorted(found.items())}
    if base == "reference":
        measured = ", ".join(f"c={c}: {v:.2f}" for c, v in ratios.items())
    else:
        measured = ", ".join(f"c={c}: {100 * v:.0f} %" for c, v in ratios.items())
    return Target(name, measured, all(v >= at_least for v in ratios.values()))


PG_RATIO_TARGETS = (
    ("list_direct", "ListSongs direct / bare reference >= 0.8", 0.8, "reference"),
    ("get", "GetSong direct / bare reference >= 0.8", 0.8, "reference"),
    ("list_direct", "ListSongs direct >= 29 % of the echo ceiling", 0.29, "rps"),
    ("list_grpc_web", "ListSongs through Envoy gRPC-Web >= 20 % of the ceiling", 0.20, "rps"),
    ("create", "CreateSong direct >= 20 % of the ceiling", 0.20, "rps"),
    ("update", "UpdateSong direct >= 20 % of the ceiling", 0.20, "rps"),
)
"""Issue 13's targets on PostgreSQL: (scenario, target, at least, ratio to)."""
P99_TIMES_CEILING = 6.0


def targets(report: Report) -> list[Target]:
    """Every target of the issue, met, not met, or not measured by this run."""
    results = report.results
    pg = report.options.get("db") == "postgresql"
    found = [
        _ratio_target(results, key, name, at_least, base)
        if pg
        else Target(name, "PostgreSQL target: see a --db postgresql run", None)
        for key, name, at_least, base in PG_RATIO_TARGETS
    ]
    found.append(_filtered_target(results, pg))
    direct = _find(results, "list_direct")
    name = f"p99 of ListSongs at c=16 <= {P99_TIMES_CEILING:.0f} x the ceiling's p99"
    if pg and 16 in direct:
        times = direct[16].ratio.get("p99", math.nan)
        found.append(
            Target(name, f"{direct[16].p99_ms:.1f} ms, {times:.1f} x", times <= P99_TIMES_CEILING)
        )
    else:
        found.append(Target(name, "not measured (PostgreSQL, c=16)", None))
    found += [_storm_target(results), *_sqlite_targets(results, pg), _memory_target(report)]
    found.append(_cores_target(report, direct))
    return found


def _filtered_target(results: list[Result], pg: bool) -> Target:
    name = "ListSongs by name with a filter >= 0.7 x plain ListSongs"
    if not pg:
        return Target(name, "PostgreSQL target: see a --db postgresql run", None)
    return _share_of_plain(results, "list_filtered", name, 0.7, lambda v: f"{v:.2f} x")


def _storm_target(results: list[Result]) -> Target:
    name = "ListSongs during a login storm >= 75 % of quiet"
    return _share_of_plain(results, "list_login_storm", name, 0.75, lambda v: f"{100 * v:.0f} %")


def _share_of_plain(
    results: list[Result], key: str, name: str, at_least: float, shown: Callable[[float], str]
) -> Target:
    """`key`'s calls/s as a share of plain ListSongs' (list_direct) at every concurrency."""
    found, plain = _find(results, key), _find(results, "list_direct")
    kept = {c: found[c].rps / plain[c].rps for c in found if c in plain and plain[c].rps}
    if not kept:
        return Target(name, "not run", None)
    measured = ", ".join(f"c={c}: {shown(v)}" for c, v in sorted(kept.items()))
    return Target(name, measured, all(v >= at_least for v in kept.values()))


def _sqlite_targets(results: list[Result], pg: bool) -> list[Target]:
    create_name = "SQLite: 64 concurrent CreateSong for 10 s, zero errors"
    list_name = "SQLite: ListSongs direct >= 25 % of the ceiling"
    if pg:
        return [
            Target(name, "SQLite target: see a --db sqlite run", None)
            for name in (create_name, list_name)
        ]
    create = _find(results, "create").get(64)
    if create is None:
        create_target = Target(create_name, "not run", None)
    else:
        create_target = Target(
            create_name,
            f"{create.errors} errors in {create.requests} calls over {create.seconds:.0f} s",
            create.errors == 0 and create.seconds >= 9.5,
        )
    return [create_target, _ratio_target(results, "list_direct", list_name, 0.25)]


def _memory_target(report: Report) -> Target:
    name = "RSS after 60 s of load <= 1.2 x RSS after 10 s"
    soak = report.soak
    if not soak:
        return Target(name, "not measured (--soak 0)", None)
    growth = soak["growth"]
    complete = soak["seconds"] >= 60 and soak["early_at_seconds"] >= 10
    return Target(
        name + ("" if complete else f" (soak was only {soak['seconds']:.0f} s)"),
        ", ".join(f"{k}: x{v:.2f}" for k, v in growth.items()),
        all(v <= 1.2 for v in growth.values()) if complete else None,
    )


def _cores_target(report: Report, direct: dict[int, Result]) -> Target:
    name = "both cores used: several resource workers share the load"
    if not direct:
        return Target(name, "not run", None)
    busy = direct.get(64) or direct[max(direct)]
    workers = int(report.options.get("resource_workers", 1))
    shares = [c for c in busy.per_process_cpu.get("resource", []) if c >= 10]
    total = sum(busy.cpu.values())
    return Target(
        name,
        f"{workers} worker(s); busy processes at c={busy.concurrency}: "
        + " + ".join(f"{c:.0f} %" for c in shares)
        + f"; all processes {total:.0f} % CPU",
        workers >= 2 and len(shares) >= 2,
    )


def _mark(met: bool | None) -> str:
    return {True: "MET", False: "NOT MET", None: "n/a"}[met]


def _num(value: float, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:.0f}%"


def _cpu(result: Result) -> str:
    parts = []
    for name, value in result.cpu.items():
        if value >= 1 or (name == "echo" and result.key.startswith("ceiling")):
            count = result.processes.get(name, 1)
            suffix = f"/{count}p" if name == "resource" and count > 1 else ""
            parts.append(f"{SHORT.get(name, name)} {value:.0f}{suffix}")
    return " ".join(parts)


def _rss(result: Result) -> str:
    server = {
        "ceiling": ["echo"],
        "ceiling_end": ["echo"],
        "reference_list": ["reference"],
        "reference_list_end": ["reference"],
        "reference_get": ["reference"],
        "reference_get_end": ["reference"],
        "login": ["auth"],
        "login_storm": ["auth"],
    }.get(result.key, ["resource"])
    if "envoy" in result.key or "grpc_web" in result.key:
        server = ["resource", "envoy"]
    if result.key == "list_login_storm":
        server = ["resource", "auth"]
    return " ".join(
        f"{SHORT[name]} {value:.0f}"
        for name in server
        if (value := result.rss_mb.get(name)) is not None
    )


def busy(result: Result) -> bool:
    """Whether other work on the machine took a noticeable share of the CPU during the run."""
    return result.cpu.get("others", 0.0) > BUSY_MACHINE_PERCENT


def table(report: Report) -> str:
    header = (
        f"{'scenario':<32} {'c':>3} {'good/s':>8} {'ceil':>5} {'ref':>5} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'p99/ceil':>8} {'errors':>6}  {'CPU % of one core':<44} RSS MiB"
    )
    lines = [header, "-" * len(header)]
    for r in report.results:
        ratio = _pct(r.ratio.get("rps"))
        reference = _num(r.ratio.get("reference", math.nan), 2)
        mark = "!" if busy(r) else " "
        lines.append(
            f"{r.title[:31]:<31}{mark} {r.concurrency:>3} {_num(r.rps, 0):>8} {ratio:>5} "
            f"{reference:>5} "
            f"{_num(r.p50_ms):>7} {_num(r.p99_ms):>7} {_num(r.ratio.get('p99', math.nan)):>7}x "
            f"{r.errors:>6}  {_cpu(r):<44} {_rss(r)}"
        )
    lines += [f"{r.title} c={r.concurrency}: {r.note}" for r in report.results if r.watch]
    if any(busy(r) for r in report.results):
        lines.append(
            f"! other work on the machine (not the suite, not h2load) used more than "
            f"{BUSY_MACHINE_PERCENT:.0f} % of a core during this run: its figures are less reliable"
        )
    return "\n".join(lines)


def targets_table(found: list[Target]) -> str:
    width = max(len(t.name) for t in found)
    return "\n".join(f"{_mark(t.met):>8}  {t.name:<{width}}  {t.measured}" for t in found)


def profile_lines(profile: dict[str, Any], top: int = 15) -> str:
    if not profile:
        return ""
    if "samples" not in profile:
        return f"profile: {profile.get('skipped', 'none')}"
    out = [
        f"py-spy profile under {profile.get('scenario', 'ListSongs direct gRPC')} "
        f"c=16 ({profile['samples']} samples, {profile.get('rps_while_profiled')} "
        "calls/s while profiled):",
        "  by library (innermost Python frame):",
    ]
    out += [f"    {a['percent']:5.1f}%  {a['name']}" for a in profile["by_library"][:12]]
    out.append("  top functions by own samples:")
    out += [f"    {a['percent']:5.1f}%  {a['name']}" for a in profile["top_self"][:top]]
    out.append("  top functions by total samples (on the stack):")
    out += [f"    {a['percent']:5.1f}%  {a['name']}" for a in profile["top_total"][:top]]
    return "\n".join(out)


def machine_line(report: Report) -> str:
    m = report.machine
    pg = f", PostgreSQL {m['postgresql']}" if m.get("postgresql") else ""
    return (
        f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}, "
        f"Python {m['python']}, grpcio {m['grpcio']}{pg}, {m['h2load']}"
    )


def render(report: Report) -> str:
    o = report.options
    soak = report.soak
    parts = [
        f"Chorus benchmark, {report.started}, database {o['db']}, resource workers "
        f"{o['resource_workers']}, auth workers {o['auth_workers']}, {o['seconds']:.0f} s a run "
        f"after {o['warmup']:.0f} s warm-up",
        f"machine: {machine_line(report)}",
        "",
        table(report),
    ]
    if soak:
        parts += [
            "",
            (
                f"memory soak ({soak['seconds']:.0f} s of ListSongs c=16 + WhoAmI c=4, "
                f"{soak['list_songs_rps']:,.0f} + {soak['who_am_i_rps']:,.0f} calls/s): "
                + ", ".join(
                    f"{k} {soak['rss_early_mb'][k]:.0f} -> {soak['rss_end_mb'][k]:.0f} MiB"
                    for k in soak["growth"]
                )
            ),
        ]
    parts += [
        "",
        "targets of issue 13 (ratios to the echo ceiling, or to the bare reference of the same"
        " call, of the same run and concurrency; `ceil` and `ref` columns above):",
        targets_table([Target(**t) for t in report.targets]),
    ]
    if report.layers:
        parts += ["", layers_lines(report)]
    if report.profile:
        parts += ["", profile_lines(report.profile)]
    return "\n".join(parts)


def layers_lines(report: Report) -> str:
    """GetSong's CPU per call by layers taken off, beside the deployed service's and the
    bare reference's of the same run (`--layers`)."""
    out = [
        "where a GetSong's CPU goes (c=16; server processes only, CPU time per good call):",
        f"  {'server':<44} {'good/s':>8} {'CPU %':>6} {'us/call':>8}",
    ]
    for row in report.layers:
        out.append(
            f"  {row['title']:<44} {row['rps']:>8,.0f} {row['cpu_percent']:>6.0f} "
            f"{row['us_per_call']:>8.0f}"
        )
    for key, title, group in (
        ("get", "GetSong as deployed (all workers)", "resource"),
        ("reference_get", "bare reference GetSong", "reference"),
    ):
        measured = [r for r in report.results if r.key == key and r.concurrency == 16]
        if measured and measured[0].rps > 0:
            cpu = measured[0].cpu.get(group, math.nan)
            us = cpu / 100 / measured[0].rps * 1e6
            out.append(f"  {title:<44} {measured[0].rps:>8,.0f} {cpu:>6.0f} {us:>8.0f}")
    return "\n".join(out)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def write_json(report: Report, folder: Path) -> list[Path]:
    """results.json in the run folder and latest-<db>.json beside the run folders."""
    document = json.dumps(_clean(dataclasses.asdict(report)), indent=2)
    paths = [folder / "results.json", folder.parent / f"latest-{report.options['db']}.json"]
    for path in paths:
        path.write_text(document + "\n", encoding="utf-8")
    return paths


def finish(report: Report) -> None:
    report.targets = [dataclasses.asdict(t) for t in targets(report)]


def load(path: Path) -> Report:
    """A run written by `write_json`, to render again (`python -m bench --show FILE`)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document["results"] = [Result(**result) for result in document["results"]]
    report = Report(**document)
    finish(report)
    return report
