"""The browser suite: `make run` on free ports, driven by Debian's Chromium."""

import asyncio
from collections.abc import AsyncIterator, Generator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright, expect
from playwright.async_api import Error as PlaywrightError

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

WARM_UP_S = 300
# The machine running the suite may be busy (2 cores, services, Envoy, Vite, Chromium).
expect.set_options(timeout=20_000)
ACTION_MS = 60_000


@pytest.fixture(scope="module")
async def app(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> AsyncIterator[App]:
    async with running_app(tmp_path_factory.mktemp("app")) as running:
        await _warm_up(browser, running.web_url)
        yield running


async def _warm_up(browser: Browser, web_url: str) -> None:
    """Load the app until it shows the login: Vite's dev server bundles the npm
    packages on the first visit after a fresh install (a minute or more on a
    busy machine) and may reload the page when it is done, which no test's own
    timeouts should have to cover."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WARM_UP_S
    page = await browser.new_page()
    try:
        while True:
            try:
                await page.goto(web_url, timeout=WARM_UP_S * 1000)
                await page.get_by_role("button", name="Log in").wait_for(timeout=30_000)
                return
            except PlaywrightError:
                if loop.time() > deadline:
                    raise
    finally:
        await page.close()


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


FAILURES = Path(__file__).resolve().parents[2] / "var" / "e2e-failures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's outcome on the test, for the pictures below."""
    report = yield
    item.stash.setdefault(OUTCOMES, {})[report.when] = report
    return report


OUTCOMES = pytest.StashKey[dict[str, pytest.TestReport]]()


async def _fresh_context(
    request: pytest.FixtureRequest, browser: Browser
) -> AsyncIterator[BrowserContext]:
    fresh = await browser.new_context(viewport=DESKTOP, reduced_motion="reduce")
    fresh.set_default_timeout(ACTION_MS)
    said: list[str] = []  # what the pages said went wrong, for a failure's record
    fresh.on("weberror", lambda error: said.append(f"uncaught: {error.error}"))
    fresh.on("console", lambda msg: said.append(msg.text) if msg.type == "error" else None)
    yield fresh
    call = request.node.stash.get(OUTCOMES, {}).get("call")
    if call is not None and call.failed:  # what the pages showed when the test failed
        FAILURES.mkdir(parents=True, exist_ok=True)
        name = f"{request.node.name}-{request.fixturename}"
        for number, page in enumerate(fresh.pages):
            await page.screenshot(path=FAILURES / f"{name}-{number}.png", full_page=True)
        (FAILURES / f"{name}.log").write_text("\n".join(said), encoding="utf-8")
    await fresh.close()


@pytest.fixture
async def context(
    request: pytest.FixtureRequest, browser: Browser
) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile: its own storage, so its own session."""
    async for fresh in _fresh_context(request, browser):
        yield fresh


@pytest.fixture
async def browser_second(
    request: pytest.FixtureRequest, browser: Browser
) -> AsyncIterator[BrowserContext]:
    """Another person's browser, isolated from `context`."""
    async for fresh in _fresh_context(request, browser):
        yield fresh


@pytest.fixture
async def browser_third(
    request: pytest.FixtureRequest, browser: Browser
) -> AsyncIterator[BrowserContext]:
    """A third person's browser, isolated from the other two."""
    async for fresh in _fresh_context(request, browser):
        yield fresh
