"""Parts a test needs: missing ones fail in CI (CI=true) and skip elsewhere."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(available: bool, message: str) -> None:
    if available:
        return
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)
