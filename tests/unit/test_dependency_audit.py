"""`make audit` (scripts/audit_dependencies.py) at work on saved advisory reports.

The machines here cannot reach the advisory data, so the live check says so
and skips; these saved reports (in pip-audit's and npm audit's own JSON) show
what it does when the data is there.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORTS = Path(__file__).parent / "advisories"


def audit(python: str, npm: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "audit_dependencies.py"),
            f"--pip-audit-report={REPORTS / f'pip-audit-{python}.json'}",
            f"--npm-audit-report={REPORTS / f'npm-audit-{npm}.json'}",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_clean_reports_pass() -> None:
    result = audit("clean", "clean")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == [
        "Python: 0 known vulnerabilities",
        "npm: 0 known vulnerabilities",
    ]


def test_a_vulnerable_python_package_fails_and_is_named() -> None:
    result = audit("vulnerable", "clean")
    assert result.returncode == 1
    assert "jinja2 2.11.2: PYSEC-2021-66 (fixed in 2.11.3)" in result.stdout


def test_moderate_npm_advisories_fail_and_low_ones_are_listed() -> None:
    result = audit("clean", "vulnerable")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "npm: 2 known vulnerabilities" in lines
    assert any(line.strip().startswith("esbuild (moderate): esbuild enables") for line in lines)
    assert any(line.strip().startswith("vite (moderate): through a dependency") for line in lines)
    assert any("(not failing) brace-expansion (low)" in line for line in lines)


@pytest.mark.parametrize(("python", "npm"), [("unreachable", "clean"), ("clean", "unreachable")])
def test_unreachable_advisory_data_is_said_and_skipped(python: str, npm: str) -> None:
    result = audit(python, npm)
    assert result.returncode == 0
    [skipped] = [line for line in result.stdout.splitlines() if "SKIPPED" in line]
    assert "advisory data unreachable" in skipped


def test_unreachable_data_does_not_hide_vulnerabilities_found_elsewhere() -> None:
    result = audit("vulnerable", "unreachable")
    assert result.returncode == 1
    assert "npm: SKIPPED" in result.stdout
