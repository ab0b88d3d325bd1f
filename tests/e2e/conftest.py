"""The browser suite: `make run` on free ports, driven by Debian's Chromium."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright, expect

from tests.support.required import require
from tests.support.running_app import App, running_app
from tests.support.web_app import DESKTOP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# The machine running the suite may be busy (2 cores, services, Envoy, Vite, Chromium).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[App]:
    async with running_app(tmp_path_factory.mktemp("app")) as running:
        yield running


def _require_chromium() -> None:
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    _require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        await chromium.close()


async def _fresh_context(browser: Browser) -> AsyncIterator[BrowserContext]:
    fresh = await browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    yield fresh
    await fresh.close()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile: its own storage, so its own session."""
    async for fresh in _fresh_context(browser):
        yield fresh


@pytest.fixture
async def browser_second(browser: Browser) -> AsyncIterator[BrowserContext]:
    """Another person's browser, isolated from `context`."""
    async for fresh in _fresh_context(browser):
        yield fresh
