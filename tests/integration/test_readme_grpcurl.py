"""Every shell block of the README's grpcurl walkthrough and tenants sections, run
in order as one script with the real grpcurl (from .venv/bin, as the README says)
against both services and the real Envoy gateway (issue 14, failure 6)."""

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.gateway import running_gateway
from tests.support.in_process import InProcessSuite

SECTIONS = ("## Try it with grpcurl", "## Tenants and roles")


def readme_script(readme: Path) -> str:
    """The ```sh blocks of the grpcurl and tenants sections, in order.

    ("Live updates", between them, has its own test: tests/integration/test_readme_watch.py.)
    """
    text = readme.read_text(encoding="utf-8")
    blocks = []
    for heading in SECTIONS:
        start = text.index(heading)
        section = text[start : text.index("\n## ", start + 1)]
        blocks += re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    assert len(blocks) >= 4, "walkthrough, more calls, gateway and tenants blocks"
    return "\n".join(blocks)


def json_documents(output: str) -> list[dict[str, Any]]:
    """The JSON objects grpcurl printed (each starts with `{` on a line of its own)."""
    decoder = json.JSONDecoder()
    documents = []
    for found in re.finditer(r"^\{$", output, re.MULTILINE):
        document, _ = decoder.raw_decode(output, found.start())
        documents.append(document)
    return documents


@pytest.mark.timeout(180)
async def test_readme_grpcurl_blocks(
    suite: InProcessSuite, repo_root: Path, tmp_path: Path
) -> None:
    async with running_gateway(suite, tmp_path) as gateway:
        script = (
            readme_script(repo_root / "README.md")
            .replace("localhost:50051", suite.auth_target)
            .replace("localhost:50052", suite.resource_target)
            .replace("localhost:8080", gateway.target)
        )
        # The servers run in this event loop: wait for bash without blocking it.
        process = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            f"set -euo pipefail\n{script}",
            cwd=repo_root,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=150)
    out = stdout.decode()
    assert process.returncode == 0, f"{stderr.decode()}\n{out}"

    documents = json_documents(out)
    signed_up = documents[0]
    assert signed_up["user"]["email"] == "jane@z.co"
    updated = next(d["song"] for d in documents if "song" in d and d["song"]["name"] == "Aberdeen")
    assert updated["year"] == 2012, "UpdateSong changed the year"
    troubles = [d["song"]["id"] for d in documents if d.get("song", {}).get("name") == "Trouble"]
    assert len(troubles) == 2
    assert len(set(troubles)) == 1, "the retried create returned the first song"
    assert any(d.get("keys") for d in documents), "GetJwks printed the keys"
    assert "chorus.resource.v1.SongService" in out.split()
    assert "// Add a song." in out, "describe shows the comments of protos/"
    through_gateway = [d for d in documents if "songs" in d][-1]
    names = sorted(song["name"] for song in through_gateway["songs"])
    assert names == ["Aberdeen", "Trouble"]
    band_song = documents[-1]["song"]
    assert band_song["name"] == "Band practice"
