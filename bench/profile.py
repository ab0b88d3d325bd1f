"""Reading a py-spy profile (`--format raw`: one collapsed stack and its count a line).

Three views: where the samples' innermost Python frame lives (by library),
the functions with the most samples of their own (self), and the functions
on the stack most often (total, each counted once a stack, leaving out the
event loop and command frames that are on every stack).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")

AREAS = (
    ("sqlalchemy/", "SQLAlchemy"),
    ("asyncpg/", "asyncpg"),
    ("aiosqlite/", "aiosqlite"),
    ("sqlite3/", "sqlite3"),
    ("grpc/", "grpcio"),
    ("jwt/", "PyJWT"),
    ("cryptography/", "cryptography"),
    ("google/protobuf", "protobuf"),
    ("logging/", "logging"),
    ("asyncio/", "asyncio"),
    ("chorus_core/", "chorus_core"),
    ("chorus_resource/", "chorus_resource"),
    ("chorus_auth/", "chorus_auth"),
    ("chorus/", "generated code"),
)


PLUMBING = (
    "<frozen runpy>",
    "asyncio/runners.py",
    "asyncio/base_events.py",
    "asyncio/events.py",
    "threading.py",
    "chorus_core/cli.py",
    "chorus_core/supervisor.py",
    "__main__.py",
)
"""Frames on every stack (the event loop, the command): left out of the "total" view."""


def area(file: str) -> str:
    for marker, name in AREAS:
        if marker in file:
            return name
    return "other (stdlib, ...)"


def frames(stack: str) -> list[tuple[str, str]]:
    """(function, file) of each Python frame of a stack, outermost first."""
    found = []
    for part in stack.split(";"):
        match = _FRAME.match(part.strip())
        if match and match.group("file"):
            found.append((match.group("function"), match.group("file")))
    return found


def short(file: str) -> str:
    for marker in ("site-packages/", "services/", "lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def summarize(raw: str, top: int = 25) -> dict[str, Any]:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    samples = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        stack_frames = frames(stack)
        if not stack_frames:
            continue
        samples += count
        leaf_function, leaf_file = stack_frames[-1]
        own[f"{leaf_function} ({short(leaf_file)})"] += count
        areas[area(leaf_file)] += count
        for name in {
            f"{function} ({short(file)})"
            for function, file in stack_frames
            if not file.endswith(PLUMBING)
        }:
            total[name] += count

    def shares(counter: Counter[str], limit: int) -> list[dict[str, Any]]:
        return [
            {"name": name, "samples": n, "percent": round(100 * n / samples, 1)}
            for name, n in counter.most_common(limit)
        ]

    return {
        "samples": samples,
        "by_library": shares(areas, len(areas)) if samples else [],
        "top_self": shares(own, top) if samples else [],
        "top_total": shares(total, top) if samples else [],
    }
