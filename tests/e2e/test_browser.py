"""The web app in a real browser, through the real gateway, against the suite
as `make run` starts it."""

import asyncio
import os
from pathlib import Path

from playwright.async_api import BrowserContext, expect

from chorus_client import ChorusClient
from tests.support.gateway import preflight
from tests.support.running_app import App
from tests.support.web_app import (
    PASSWORD,
    add_song,
    log_in,
    new_email,
    sign_up,
    song_names,
    song_row,
    song_rows,
    status_says,
)

LIST_SONGS = "/chorus.resource.v1.SongService/ListSongs"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


async def test_two_people_never_see_each_others_songs(
    app: App, context: BrowserContext, browser_second: BrowserContext, screenshots: Path
) -> None:
    jane, john = await context.new_page(), await browser_second.new_page()
    await sign_up(jane, app.web_url, new_email("jane"))
    await sign_up(john, app.web_url, new_email("john"))
    await add_song(jane, "Aberdeen", "Cage the Elephant", 2011)
    await add_song(john, "Hey Jude", "The Beatles", 1968)
    await add_song(jane, "Trouble", "Cage the Elephant")

    await jane.reload()
    await john.reload()
    await expect(song_rows(jane)).to_have_count(2)
    await expect(song_rows(john)).to_have_count(1)
    assert await song_names(jane) == ["Aberdeen", "Trouble"]
    assert await song_names(john) == ["Hey Jude"]
    await jane.screenshot(path=screenshots / "songs.png", full_page=True)


async def test_edit_and_delete_a_song(app: App, context: BrowserContext, screenshots: Path) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, new_email("editor"))
    await add_song(page, "Aberdeen", "Cage the Elephant", 2011)

    await song_row(page, "Aberdeen").get_by_role("button", name="Edit").click()
    await page.get_by_label("Name").fill("Aberdeen (live)")
    await page.get_by_label("Year").fill("2012")
    await page.screenshot(path=screenshots / "edit-song.png", full_page=True)
    await page.get_by_role("button", name="Save").click()
    await status_says(page, "Saved “Aberdeen (live)”.")
    await expect(song_row(page, "Aberdeen (live)")).to_contain_text("2012")

    await song_row(page, "Aberdeen (live)").get_by_role("button", name="Delete").click()
    await status_says(page, "Deleted “Aberdeen (live)”.")
    await expect(song_rows(page)).to_have_count(0)
    await page.reload()
    await expect(page.get_by_test_id("whoami-email")).to_be_visible()
    await expect(song_rows(page)).to_have_count(0)


async def test_paging_through_a_long_list(app: App, context: BrowserContext) -> None:
    email = new_email("collector")
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        collector = await chorus.sign_up(email, PASSWORD)
        for number in range(1, 26):
            await collector.songs.create(f"Song {number:02}", "Various")
    page = await context.new_page()
    await log_in(page, app.web_url, email)

    next_page = page.get_by_role("button", name="Next page")
    previous_page = page.get_by_role("button", name="Previous page")
    await expect(song_rows(page)).to_have_count(10)
    await expect(previous_page).to_be_disabled()
    seen = await song_names(page)
    for first, count in ((11, 10), (21, 5)):
        await next_page.click()
        await expect(song_rows(page).first).to_contain_text(f"Song {first:02}")
        await expect(song_rows(page)).to_have_count(count)
        seen += await song_names(page)
    await expect(next_page).to_be_disabled()
    assert seen == [f"Song {number:02}" for number in range(1, 26)]

    await previous_page.click()
    await expect(song_rows(page).first).to_contain_text("Song 11")


async def test_reload_keeps_the_session_and_logout_ends_it(
    app: App, context: BrowserContext, screenshots: Path
) -> None:
    page = await context.new_page()
    email = new_email("reloader")
    await sign_up(page, app.web_url, email)
    await add_song(page, "Aberdeen", "Cage the Elephant")

    await page.reload()
    await expect(page.get_by_test_id("whoami-email")).to_have_text(email)
    await expect(song_rows(page)).to_have_count(1)
    await page.screenshot(path=screenshots / "who-am-i.png", full_page=True)

    await page.get_by_role("button", name="Log out").click()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await page.screenshot(path=screenshots / "login.png", full_page=True)
    await page.reload()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await expect(page.get_by_test_id("whoami-email")).to_have_count(0)


async def test_errors_are_sentences_next_to_their_fields(
    app: App, context: BrowserContext, screenshots: Path
) -> None:
    page = await context.new_page()
    await page.goto(f"{app.web_url}/#signup")
    await page.get_by_label("Email").fill(new_email("short"))
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(
        "At least 8 characters. Password must be at least 8 characters."
    )
    await page.screenshot(path=screenshots / "sign-up-error.png", full_page=True)

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.get_by_test_id("whoami-email")).to_be_visible()
    await page.get_by_label("Name").fill("   ")
    await page.get_by_label("Artist").fill("Nobody")
    await page.get_by_role("button", name="Add song").click()
    await expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await expect(song_rows(page)).to_have_count(0)


async def test_cors_preflight_from_the_app_origin_only(app: App) -> None:
    allowed = await preflight(app.gateway, app.web_url, LIST_SONGS)
    refused = await preflight(app.gateway, "http://evil.example", LIST_SONGS)
    assert (allowed.status, allowed.headers.get("access-control-allow-origin")) == (
        200,
        app.web_url,
    )
    assert refused.headers.get("access-control-allow-origin") is None
    assert refused.status >= 400


async def test_phone_sized_screen_has_no_sideways_scrolling(
    app: App, browser_second: BrowserContext, screenshots: Path
) -> None:
    page = await browser_second.new_page()
    await page.set_viewport_size({"width": 375, "height": 740})
    await sign_up(page, app.web_url, new_email("phone"))
    await add_song(page, "A rather long song title that has to wrap", "Somebody", 1999)
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    await page.screenshot(path=screenshots / "songs-phone.png", full_page=True)


async def test_connect_es_node_client_through_the_gateway(app: App) -> None:
    """web/smoke: the generated TypeScript client from Node, over gRPC-Web."""
    process = await asyncio.create_subprocess_exec(
        "npm",
        "--prefix",
        str(WEB_DIR),
        "run",
        "smoke",
        env={**os.environ, "CHORUS_GATEWAY_URL": f"http://{app.gateway}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, output.decode()
