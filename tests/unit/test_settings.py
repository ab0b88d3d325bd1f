"""One definition of the settings (chorus_core.config.SETTINGS): the README shows it,
and every env value the code reads is in it."""

import re
from pathlib import Path

from chorus_core.config import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"\b(?:CHORUS|OTEL)_[A-Z0-9_]*[A-Z0-9]\b")
READERS = [ROOT / "services", ROOT / "scripts", ROOT / "devtools"]
DEFINITION = ROOT / "services" / "chorus_core" / "config.py"


def readme_rows() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    lines = section[section.index("| variable |") :].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def test_the_readme_table_is_the_definition() -> None:
    expected = [f"| `{s.name}` | {s.readme_default} | {s.meaning} |" for s in SETTINGS]
    assert readme_rows() == expected


def names_in_code() -> set[str]:
    found: set[str] = set()
    for folder in READERS:
        for path in folder.rglob("*.py"):
            if path != DEFINITION:
                found |= set(NAME.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_setting_the_code_names_is_defined_and_every_definition_is_read() -> None:
    defined = {setting.name for setting in SETTINGS}
    assert names_in_code() - defined == set(), "read but not defined"
    assert defined - names_in_code() == set(), "defined but never read"


def test_every_default_of_an_integer_setting_is_an_integer_at_least_its_minimum() -> None:
    for setting in SETTINGS:
        if setting.minimum is not None:
            assert int(setting.default) >= setting.minimum, setting.name
