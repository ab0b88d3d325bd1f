"""The import rules between packages, as the README's table states them.

The table ("What each package may import") is the rule: this test reads it
and checks every import of every Python file (at any depth, in functions too)
against the row of the package the file belongs to.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "### What each package may import"
HOMES = {
    **{
        path.name: path for path in (ROOT / "services").iterdir() if (path / "__init__.py").exists()
    },
    **{path.name: path for path in (ROOT / "gen" / "python").iterdir() if path.is_dir()},
    **{path.name: path for path in (ROOT / "devtools").iterdir() if path.is_dir()},
    **{name: ROOT / name for name in ("scripts", "bench", "deploy", "tools", "tests")},
}
"""Every first-party package (top-level import name) and its folder."""


def rules() -> dict[str, set[str]]:
    """Package -> the first-party packages it may import, from the README table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(SECTION) :]
    rows = [line for line in section.splitlines()[1:] if line.startswith("| `")]
    table: dict[str, set[str]] = {}
    for row in rows:
        packages, _holds, allowed = (cell.strip() for cell in row.strip("|").split("|"))
        names = set(re.findall(r"`([a-z_]+)`", allowed))
        if allowed == "anything":
            names = set(HOMES)
        for package in re.findall(r"`([a-z_]+)`", packages):
            table[package] = names
    return table


def imported(path: Path) -> set[str]:
    """Top-level names of every absolute import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.partition(".")[0])
    return names


def test_every_package_has_a_row() -> None:
    assert set(rules()) == set(HOMES)


def test_every_import_follows_the_table() -> None:
    table = rules()
    broken = []
    for package, home in HOMES.items():
        allowed = table[package] | {package}
        for path in sorted(home.rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            for name in sorted((imported(path) & set(HOMES)) - allowed):
                broken.append(f"{path.relative_to(ROOT)} imports {name}")
    assert broken == []


def test_the_rules_are_not_vacuous() -> None:
    table = rules()
    assert "chorus_auth" not in table["chorus_resource"]
    assert "chorus_devtools" not in table["chorus_core"]
    assert imported(ROOT / "services" / "chorus_auth" / "app.py") >= {"chorus_core", "chorus"}
