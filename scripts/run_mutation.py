"""Mutation testing with mutmut (`make mutation`; not part of `make test`).

Mutates the code that keeps tenants apart and callers honest: token
verification (`chorus_core/tokens.py`), the role policy (`chorus_core/roles.py`),
page tokens (`chorus_core/keyset.py`) and tenant scoping in the auth
service (`chorus_auth/tenants.py`), and runs the tests that cover them (the
integration tests on SQLite only) against every mutant.

mutmut finds the code it mutates by path and expects it under `src/`, while
the services live in `services/`; so this builds a workspace in
build/mutation/ (`src/` with a copy of the services' packages, `tests/`, and
a pyproject.toml with the configuration below), runs `mutmut run` there, and
prints the score. `mutmut results` / `mutmut show NAME` in that folder tell
about each surviving mutant.

    python scripts/run_mutation.py
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKSPACE = ROOT / "build" / "mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"
PACKAGES = ("chorus_core", "chorus_auth", "chorus_resource", "chorus_client")
MUTATED = (
    "src/chorus_core/tokens.py",
    "src/chorus_core/roles.py",
    "src/chorus_core/keyset.py",
    "src/chorus_auth/tenants.py",
)
TESTS = (
    "tests/unit/test_token_cache.py",
    "tests/unit/test_signing_keys.py",
    "tests/unit/test_ordering_and_tokens.py",
    "tests/unit/test_page_tokens.py",
    "tests/unit/test_roles.py",
    "tests/integration/test_tenants.py",
    "tests/integration/test_role_matrix.py",
)
CONFIG = f"""
[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "session"
asyncio_default_test_loop_scope = "session"
timeout = 120

[tool.mutmut]
source_paths = ["src"]
only_mutate = {json.dumps(list(MUTATED))}
pytest_add_cli_args_test_selection = {json.dumps([*TESTS, "-k", "sqlite or not postgresql"])}
"""


def build_workspace() -> None:
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__")
    for package in PACKAGES:
        shutil.copytree(ROOT / "services" / package, WORKSPACE / "src" / package, ignore=ignore)
    shutil.copytree(ROOT / "tests", WORKSPACE / "tests", ignore=ignore)
    (WORKSPACE / "pyproject.toml").write_text(CONFIG, encoding="utf-8")


def main() -> int:
    build_workspace()
    run = subprocess.run([str(MUTMUT), "run"], cwd=WORKSPACE, check=False)  # noqa: S603
    if run.returncode != 0:
        return run.returncode
    subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=WORKSPACE, check=True)  # noqa: S603
    stats = json.loads((WORKSPACE / "mutants" / "mutmut-cicd-stats.json").read_text())
    tested = stats["killed"] + stats["survived"] + stats["timeout"] + stats["suspicious"]
    score = 100 * (stats["killed"] + stats["timeout"]) / max(tested, 1)
    print(json.dumps(stats, indent=2))
    print(f"mutation score: {score:.1f} % of {tested} mutants that tests reach are killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
