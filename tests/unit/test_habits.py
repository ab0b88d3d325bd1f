"""The pre-commit hook runs what `make check` runs, and installs offline."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


def check_prerequisites() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [line] = re.findall(r"^check:([^#\n]*)", makefile, re.MULTILINE)
    return str(line).split()


def hook_entries() -> list[str]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local", "hooks come from the project's own tools, never downloaded"
    return [hook["entry"] for hook in repo["hooks"]]


def test_the_hook_runs_every_check_of_make_check() -> None:
    assert hook_entries() == [f"make {target}" for target in check_prerequisites()]
    assert "audit" in check_prerequisites()


def test_make_hooks_installs_the_hook_without_network(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(ROOT / ".pre-commit-config.yaml", tmp_path)
    for command in (["validate-config", ".pre-commit-config.yaml"], ["install"]):
        result = subprocess.run(
            [str(PRE_COMMIT), *command],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert "pre-commit" in (tmp_path / ".git" / "hooks" / "pre-commit").read_text()
