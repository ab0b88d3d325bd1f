"""The benchmark harness itself (never the benchmark: `make bench` runs that).

Its arithmetic on h2load's output, and one tiny real run: h2load against the
echo ceiling for a second, counted the way every scenario is counted.
"""

import asyncio
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil

from bench import h2load, monitor, profile
from bench.echo import PATH as ECHO_PATH
from bench.report import Target, render, targets
from bench.run import Report, Result, add_ratios, count_good
from bench.suite import ROOT, start_ceiling
from bench.wire import GRPC_HEADERS, Reply, grpc_call
from chorus_devtools.grpc_web import frame
from tests.support.required import require

H2LOAD_OUTPUT = """\
finished in 2.00s, 1500.00 req/s, 97.27KB/s
requests: 3000 total, 3016 started, 3000 done, 2990 succeeded, 10 failed, 10 errored, 0 timeout
status codes: 2990 2xx, 0 3xx, 0 4xx, 0 5xx
traffic: 194.53KB (199200) total, 9.10KB (9318) headers (space savings 96.1%), 58.40KB (59800) data
"""


def stats(status_2xx: int, data_bytes: int, not_2xx: int = 0) -> h2load.Stats:
    return h2load.Stats(
        seconds=2.0,
        requests=status_2xx + not_2xx,
        status_2xx=status_2xx,
        not_2xx=not_2xx,
        data_bytes=data_bytes,
        p50_ms=1.0,
        p99_ms=2.0,
        mean_ms=1.0,
    )


def test_h2load_summary_is_parsed() -> None:
    parsed = h2load.parse(H2LOAD_OUTPUT, [1000, 2000, 3000, 4000])
    assert (parsed.seconds, parsed.requests, parsed.status_2xx) == (2.0, 3000, 2990)
    assert parsed.not_2xx == 10
    assert parsed.data_bytes == 59800
    assert (parsed.p50_ms, parsed.p99_ms, parsed.mean_ms) == (2.0, 4.0, 2.5)


def test_percentiles_are_nearest_rank() -> None:
    values = list(range(1, 101))
    assert h2load.percentile(values, 50) == 50
    assert h2load.percentile(values, 99) == 99
    assert math.isnan(h2load.percentile([], 50))


def test_a_grpc_error_inside_http_200_is_not_a_good_call() -> None:
    reply = Reply(min_bytes=100, max_bytes=100)
    good, checks = count_good(stats(1000, 1000 * 100), reply, {"OK": 1000})
    assert good == 1000
    # 10 replies were gRPC errors (trailers only, no message): HTTP 200 all the same.
    good, checks = count_good(stats(1000, 990 * 100), reply, None)
    assert (good, checks["replies_without_message"]) == (990, 10)
    # The service logged 12 errors the byte count could not see (variable sizes).
    good, checks = count_good(stats(1000, 1000 * 100), reply, {"OK": 988, "INTERNAL": 12})
    assert (good, checks["server_not_ok"]) == (988, 12)


def test_ratios_are_to_the_faster_ceiling_at_the_same_concurrency() -> None:
    def result(key: str, concurrency: int, rps: float, p99: float) -> Result:
        return Result(
            key,
            key,
            concurrency,
            2.0,
            10,
            10,
            0,
            rps,
            1.0,
            p99,
            1.0,
            {"resource": 100.0},
            {},
            {},
            {},
            {},
        )

    results = [
        result("ceiling", 16, 4000, 5),
        result("list_direct", 16, 1400, 40),
        result("ceiling", 64, 5000, 20),
        result("list_direct", 64, 1500, 100),
        result("ceiling_end", 16, 3000, 6),  # slower than the first: not the base
        result("ceiling_end", 64, 5000 / 0.9, 20),  # faster: the base at c=64
        result("reference_list", 16, 1750, 10),
        result("reference_list", 64, 2000, 30),
        result("reference_list_end", 64, 1875, 30),  # slower: not the base
        result("get", 16, 900, 10),
        result("reference_get", 16, 1000, 10),
    ]
    add_ratios(results)
    assert results[1].ratio["rps"] == 0.35
    assert results[1].ratio["p99"] == 8.0
    assert results[3].ratio["rps"] == 0.27
    assert results[1].ratio["reference"] == 0.8
    assert results[3].ratio["reference"] == 0.75
    assert results[9].ratio["reference"] == 0.9
    assert "reference" not in results[6].ratio, "a reference is not compared with itself"
    report = Report(
        "now",
        {
            "db": "postgresql",
            "resource_workers": 2,
            "auth_workers": 1,
            "seconds": 2.0,
            "warmup": 1.0,
        },
        {
            "cpu": "test",
            "cores": 2,
            "memory_gib": 1,
            "system": "Linux",
            "python": "3",
            "grpcio": "1",
            "h2load": "h2load",
        },
        results,
        {},
        {},
        {},
        "",
    )
    found = {t.name: t for t in targets(report)}
    direct = found["ListSongs direct >= 29 % of the echo ceiling"]
    assert direct == Target(direct.name, "c=16: 35 %, c=64: 27 %", False)
    to_reference = found["ListSongs direct / bare reference >= 0.8"]
    assert to_reference == Target(to_reference.name, "c=16: 0.80, c=64: 0.75", False)
    assert found["GetSong direct / bare reference >= 0.8"].met is True
    p99 = found["p99 of ListSongs at c=16 <= 6 x the ceiling's p99"]
    assert (p99.measured, p99.met) == ("40.0 ms, 8.0 x", False)
    assert found["SQLite: ListSongs direct >= 25 % of the ceiling"].met is None
    report.targets = [vars(t) for t in targets(report)]
    assert "NOT MET  ListSongs direct" in render(report)


def test_profiles_are_summed_by_library_and_function() -> None:
    raw = (
        'process 1:"python";main (chorus_core/cli.py:10);list (sqlalchemy/orm/query.py:5) 3\n'
        'process 1:"python";main (chorus_core/cli.py:10);verify (jwt/api_jws.py:7) 1\n'
    )
    summary = profile.summarize(raw)
    assert summary["samples"] == 4
    assert summary["by_library"][0] == {"name": "SQLAlchemy", "samples": 3, "percent": 75.0}
    assert summary["top_total"][0]["name"] == "list (sqlalchemy/orm/query.py)"
    assert all("cli.py" not in entry["name"] for entry in summary["top_total"]), "plumbing left out"


def test_the_command_line_explains_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "--db {postgresql,sqlite}" in result.stdout


async def test_a_short_h2load_run_against_the_echo_ceiling(tmp_path: Path) -> None:
    binary = shutil.which("h2load")
    require(binary is not None, h2load.INSTALL_HINT)
    assert binary is not None
    echo = await start_ceiling("echo", [sys.executable, "-m", "bench.echo"], tmp_path)
    try:
        message = b"\x08\x14"
        reply = await grpc_call(echo.target, ECHO_PATH, message)
        assert reply == message
        load = h2load.Load(
            url=f"http://{echo.target}{ECHO_PATH}",
            body=frame(message),
            headers=GRPC_HEADERS,
            concurrency=4,
        )
        measured = await h2load.run(binary, load, tmp_path / "h2load", seconds=1.0)
    finally:
        await echo.stop()
    good, checks = count_good(measured, Reply.of([len(frame(reply))]), None)
    assert measured.requests > 0
    assert good == measured.requests == measured.status_2xx
    assert checks["replies_without_message"] == 0
    assert measured.data_bytes == measured.requests * len(frame(reply))
    assert 0 < measured.p50_ms <= measured.p99_ms
    assert not (tmp_path / "h2load" / "requests.tsv").exists(), "the request log is removed"


async def test_a_process_that_exits_before_the_window_closes_still_counts() -> None:
    """As a PostgreSQL backend does when its pooled connection is dropped as the load's
    calls are cancelled at the end of a run: its CPU until then is the run's."""
    burn = "import time\nend = time.process_time() + 0.5\nwhile time.process_time() < end: pass"
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", burn)
    burner = psutil.Process(child.pid)
    window = monitor.Window({"burner": lambda: [burner] if burner.is_running() else []})
    started = time.monotonic()
    window.start()
    sampling = asyncio.create_task(window.keep_sampling(0.05))
    await child.wait()  # reaped: its CPU time can no longer be read
    sampling.cancel()
    usage = window.stop()["burner"]
    counted_seconds = usage.cpu_percent / 100 * (time.monotonic() - started)
    assert counted_seconds >= 0.35, usage
