"""The README's "Live updates" and "Imports" examples, run with the real grpcurl binary."""

import asyncio
import re
import sys
from pathlib import Path

from chorus_client import ChorusClient
from tests.integration.test_readme_grpcurl import json_documents
from tests.support.accounts import PASSWORD, unique_email
from tests.support.in_process import InProcessSuite

SECTION = "## Live updates"
IMPORTS = "## Imports"


def section_commands(readme: Path, section: str) -> str:
    """The first ```sh block after `section`."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"```sh\n(.*?)```", text[text.index(section) :], re.DOTALL)
    assert match, f"{section} has no ```sh block"
    return match.group(1)


async def run_section(
    suite: InProcessSuite, client: ChorusClient, repo_root: Path, section: str, folder: Path
) -> tuple[str, str]:
    """Run a section's ```sh block as a new user (its $TOKEN); stdout and stderr."""
    jane = await client.sign_up(unique_email("readme"), PASSWORD)
    grpcurl = Path(sys.executable).parent / "grpcurl"
    script = section_commands(repo_root / "README.md", section).replace(
        "localhost:50052", suite.resource_target
    )
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        f'set -euo pipefail\ngrpcurl() {{ {grpcurl} "$@"; }}\n{script}',
        env={"TOKEN": jane.tokens.access_token, "PATH": "/usr/bin:/bin"},
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode(), stderr.decode()


async def test_readme_watch_example(
    suite: InProcessSuite, client: ChorusClient, repo_root: Path, tmp_path: Path
) -> None:
    stdout, stderr = await run_section(suite, client, repo_root, SECTION, tmp_path)

    documents = json_documents(stdout)
    [created] = [d for d in documents if "song" in d and "type" not in d]
    events = [d for d in documents if "type" in d]
    assert [e["type"] for e in events] == ["CHANGE_TYPE_CAUGHT_UP", "CHANGE_TYPE_CREATED"]
    assert events[1]["song"] == created["song"]
    assert "DeadlineExceeded" in stderr


async def test_readme_import_example(
    suite: InProcessSuite, client: ChorusClient, repo_root: Path, tmp_path: Path
) -> None:
    stdout, _stderr = await run_section(suite, client, repo_root, IMPORTS, tmp_path)

    *_, last_watched, listed = json_documents(stdout)
    last = last_watched["operation"]
    assert last["state"] == "OPERATION_STATE_SUCCEEDED"
    assert last["done"] is True
    assert (last["rowsTotal"], last["rowsImported"], last["rowsRejected"]) == (2, 1, 1)
    assert last["rowErrors"] == [
        "line 3: year must be greater than or equal to 1000 and less than or equal to 2100"
    ]
    assert [op["name"] for op in listed["operations"]] == [last["name"]]
    assert listed["totalSize"] == 1
