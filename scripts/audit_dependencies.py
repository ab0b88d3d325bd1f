"""Check the Python and npm dependencies against known vulnerabilities (`make audit`).

Python: `pip-audit` over the virtual environment (the project itself, an
editable install, is skipped). npm: `npm audit` over web/. Either fails the
check when it reports a vulnerability (npm: of moderate severity or worse;
low ones are listed).

When the advisory data cannot be reached (no network, a package proxy that
serves packages but not advisories), the check says so, names what it could
not reach, and skips that half: only then. `--pip-audit-report FILE` and
`--npm-audit-report FILE` read a saved JSON report instead of running the
tool, which is how the tests show the check at work.

    python scripts/audit_dependencies.py [--pip-audit-report F] [--npm-audit-report F]
"""

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
FAILING_NPM_SEVERITIES = ("moderate", "high", "critical")
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Outcome:
    """What one half of the audit found."""

    ecosystem: str
    problems: list[str]
    """One line per vulnerability that fails the check."""
    notes: list[str]
    skipped: str = ""
    """Why the advisory data could not be used; empty if it was."""

    def report(self) -> str:
        if self.skipped:
            return f"{self.ecosystem}: SKIPPED, advisory data unreachable: {self.skipped}"
        lines = [f"{self.ecosystem}: {len(self.problems)} known vulnerabilities"]
        lines += [f"  {line}" for line in self.problems]
        lines += [f"  (not failing) {line}" for line in self.notes]
        return "\n".join(lines)


def python_outcome(report: dict[str, Any]) -> Outcome:
    """From pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not audited:
        reason = dependencies[0]["skip_reason"]
        return Outcome("Python", [], [], skipped=f"no package could be audited ({reason})")
    problems = [
        f"{d['name']} {d['version']}: {v['id']}"
        + (f" (fixed in {', '.join(v['fix_versions'])})" if v.get("fix_versions") else "")
        for d in audited
        for v in d.get("vulns", [])
    ]
    return Outcome("Python", problems, [])


def npm_outcome(report: dict[str, Any]) -> Outcome:
    """From `npm audit --json` (npm 7 or later)."""
    if "error" in report or "statusCode" in report:
        error = report.get("error") or {}
        reason = report.get("message") or error.get("summary") or "npm audit failed"
        return Outcome("npm", [], [], skipped=str(reason))
    problems: list[str] = []
    notes: list[str] = []
    for name, found in sorted(report.get("vulnerabilities", {}).items()):
        advisories = [v["title"] for v in found.get("via", []) if isinstance(v, dict)]
        line = f"{name} ({found['severity']}): {'; '.join(advisories) or 'through a dependency'}"
        (problems if found["severity"] in FAILING_NPM_SEVERITIES else notes).append(line)
    return Outcome("npm", problems, notes)


def _run_json(command: list[str], cwd: Path) -> tuple[dict[str, Any] | None, str]:
    """The JSON a command prints, or None and why not."""
    try:
        result = subprocess.run(  # noqa: S603 (our own tools, fixed arguments)
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{command[0]}: {error}"
    try:
        parsed = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return None, last
    return (parsed if isinstance(parsed, dict) else None), ""


def audit_python(saved: Path | None) -> Outcome:
    if saved is not None:
        return python_outcome(json.loads(saved.read_text(encoding="utf-8")))
    command = [str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off", "--skip-editable"]
    report, why = _run_json(command, ROOT)
    return python_outcome(report) if report is not None else Outcome("Python", [], [], why)


def audit_npm(saved: Path | None) -> Outcome:
    if saved is not None:
        return npm_outcome(json.loads(saved.read_text(encoding="utf-8")))
    report, why = _run_json(["npm", "audit", "--json"], ROOT / "web")
    return npm_outcome(report) if report is not None else Outcome("npm", [], [], why)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit-report", type=Path, help="a saved `pip-audit --format json`")
    parser.add_argument("--npm-audit-report", type=Path, help="a saved `npm audit --json`")
    args = parser.parse_args(argv)
    outcomes = [audit_python(args.pip_audit_report), audit_npm(args.npm_audit_report)]
    for outcome in outcomes:
        print(outcome.report())
    return 1 if any(outcome.problems for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
