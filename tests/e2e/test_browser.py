"""The web app in a real browser, through the real gateway, against the suite
as `make run` starts it: songs, sessions, failures, phone size."""

import asyncio
import os
from pathlib import Path

from playwright.async_api import BrowserContext, Route, expect

from chorus_client import ChorusClient
from tests.support.accounts import PASSWORD, unique_email
from tests.support.gateway import preflight
from tests.support.running_app import App
from tests.support.web_app import (
    DESKTOP,
    PHONE,
    add_song,
    check_page,
    confirm,
    log_in,
    log_out,
    readme_picture,
    shown,
    sign_up,
    song_names,
    song_row,
    song_rows,
    toast_says,
)

LIST_SONGS = "/chorus.resource.v1.SongService/ListSongs"
WEB_DIR = Path(__file__).resolve().parents[2] / "web"


async def test_two_people_never_see_each_others_songs(
    app: App, context: BrowserContext, browser_second: BrowserContext
) -> None:
    jane, john = await context.new_page(), await browser_second.new_page()
    await sign_up(jane, app.web_url, unique_email("jane"))
    await sign_up(john, app.web_url, unique_email("john"))
    await add_song(jane, "Aberdeen", "Cage the Elephant", 2011)
    await add_song(john, "Hey Jude", "The Beatles", 1968)
    await add_song(jane, "Trouble", "Cage the Elephant")

    await jane.reload()
    await john.reload()
    await expect(song_rows(jane)).to_have_count(2)
    await expect(song_rows(john)).to_have_count(1)
    assert await song_names(jane) == ["Trouble", "Aberdeen"]  # newest first
    assert await song_names(john) == ["Hey Jude"]
    await expect(jane.get_by_test_id("range")).to_have_text(shown(1, 2, 2))


async def test_edit_and_delete_a_song_with_a_confirmation(
    app: App, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("editor"))
    await add_song(page, "Aberdeen", "Cage the Elephant", 2011)

    await page.get_by_role("button", name="Edit Aberdeen").click()
    form = page.get_by_role("form", name="Edit “Aberdeen”")
    await form.get_by_label("Name").fill("Aberdeen (live)")
    await form.get_by_label("Year").fill("2012")
    await form.get_by_role("button", name="Save").click()
    await toast_says(page, "Saved “Aberdeen (live)”.")
    await expect(song_row(page, "Aberdeen (live)")).to_contain_text("2012")

    await page.get_by_role("button", name="Delete Aberdeen (live)").click()
    await confirm(page, "Cancel")
    await expect(song_rows(page)).to_have_count(1)
    await page.get_by_role("button", name="Delete Aberdeen (live)").click()
    await confirm(page, "Delete song")
    await toast_says(page, "Deleted “Aberdeen (live)”.")
    await expect(song_rows(page)).to_have_count(0)
    await page.reload()
    await expect(page.get_by_text("No songs yet.")).to_be_visible()


async def test_search_sort_and_pages_are_the_servers_and_in_the_address(
    app: App, context: BrowserContext
) -> None:
    email = unique_email("collector")
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        collector = await chorus.sign_up(email, PASSWORD)
        for number in range(1, 26):
            await collector.songs.create(f"Song {number:02}", "Various", 1970 + number)
        await collector.songs.create("Live at Leeds", "The Who", 1970)
    page = await context.new_page()
    await log_in(page, app.web_url, email)

    range_text = page.get_by_test_id("range")
    await expect(range_text).to_have_text(shown(1, 20, 26))
    assert (await song_names(page))[:2] == ["Live at Leeds", "Song 25"]
    await page.get_by_role("button", name="Next page").click()
    await expect(range_text).to_have_text(shown(21, 26, 26))
    await expect(page.get_by_role("button", name="Next page")).to_be_disabled()

    await page.get_by_role("button", name="Year", exact=True).click()
    await expect(range_text).to_have_text(shown(1, 20, 26))
    await expect(song_rows(page).first).to_contain_text("Live at Leeds")
    await page.get_by_role("button", name="Year", exact=True).click()
    await expect(song_rows(page).first).to_contain_text("Song 25")
    assert "sort=year+desc" in page.url
    await check_page(page)
    await readme_picture(page, "songs")

    await page.get_by_label("Search songs").fill("song 1")
    await expect(range_text).to_have_text(shown(1, 10, 10))
    assert await song_names(page) == [f"Song {n}" for n in range(19, 9, -1)]
    await page.get_by_label("Search songs").fill("WHO")
    await expect(range_text).to_have_text(shown(1, 1, 1))
    await page.reload()  # the address keeps the search and the order
    await expect(range_text).to_have_text(shown(1, 1, 1))
    await expect(page.get_by_label("Search songs")).to_have_value("WHO")
    await page.get_by_label("Search songs").fill("nothing like this")
    await expect(page.get_by_text("No songs match “nothing like this”.")).to_be_visible()


async def test_songs_changed_elsewhere_show_up_without_a_reload(
    app: App, context: BrowserContext
) -> None:
    email = unique_email("live")
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        elsewhere = await chorus.sign_up(email, PASSWORD)
        page = await context.new_page()
        await log_in(page, app.web_url, email)
        await expect(page.get_by_test_id("live-state")).to_have_text("Live")
        song = await elsewhere.songs.create("Hey Jude", "The Beatles", 1968)
        await expect(song_row(page, "Hey Jude")).to_be_visible()
        await elsewhere.songs.delete(song.id)
        await expect(song_rows(page)).to_have_count(0)


async def test_reload_keeps_the_session_and_logout_ends_it(
    app: App, context: BrowserContext
) -> None:
    page = await context.new_page()
    email = unique_email("reloader")
    await sign_up(page, app.web_url, email)
    await add_song(page, "Aberdeen", "Cage the Elephant")

    await page.reload()
    await expect(song_rows(page)).to_have_count(1)
    await page.goto(f"{app.web_url}/account")
    await expect(page.get_by_test_id("account-email")).to_have_text(email)
    await expect(page.get_by_test_id("active-tenant")).to_have_text("Personal as Owner")

    await log_out(page)
    await page.reload()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()
    await expect(page.get_by_test_id("account-email")).to_have_count(0)


async def test_a_shared_link_opens_after_logging_in(app: App, context: BrowserContext) -> None:
    email = unique_email("linked")
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        await chorus.sign_up(email, PASSWORD)
    page = await context.new_page()
    await log_in(page, app.web_url, email, path="/account")
    await expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()
    await page.go_back()
    await page.goto(f"{app.web_url}/no/such/page")
    await expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


async def test_a_stale_session_goes_to_login_with_the_reason(
    app: App, context: BrowserContext
) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("stale"))
    await page.evaluate("localStorage.setItem('chorus.refreshToken', 'revoked-long-ago')")
    await page.reload()
    notice = page.get_by_role("status").filter(has_text="Your session has ended")
    await expect(notice).to_be_visible()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()


async def test_errors_are_sentences_next_to_their_fields(app: App, context: BrowserContext) -> None:
    page = await context.new_page()
    await page.goto(f"{app.web_url}/signup")
    await page.get_by_label("Email").fill(unique_email("short"))
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_have_accessible_description(
        "Password must be at least 8 characters. At least 8 characters."
    )
    await expect(password).to_be_focused()

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign up").click()
    await page.get_by_role("button", name="Add song").click()
    form = page.get_by_role("form", name="Add a song")
    await form.get_by_label("Name").fill("   ")
    await form.get_by_label("Artist").fill("Nobody")
    await form.get_by_label("Year").fill("3000")
    await form.get_by_role("button", name="Add song").click()
    # the contract's rules, checked in the browser before sending
    name = form.get_by_label("Name")
    await expect(name).to_have_attribute("aria-invalid", "true")
    await expect(name).to_be_focused()
    await expect(name).to_have_accessible_description("Name must not be empty or blank.")
    await expect(form.get_by_label("Year")).to_have_attribute("aria-invalid", "true")
    await page.keyboard.press("Escape")
    await expect(song_rows(page)).to_have_count(0)


async def test_a_failed_load_says_why_and_offers_a_retry(app: App, context: BrowserContext) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("offline"))
    await add_song(page, "Aberdeen", "Cage the Elephant")

    async def unreachable(route: Route) -> None:
        await route.abort("internetdisconnected")

    await context.route(f"**{LIST_SONGS}", unreachable)
    await page.reload()
    alert = page.get_by_role("alert").filter(has_text="The songs could not be loaded")
    await expect(alert).to_contain_text("The server can't be reached.", timeout=30_000)
    await check_page(page)
    await context.unroute(f"**{LIST_SONGS}", unreachable)
    await alert.get_by_role("button", name="Try again").click()
    await expect(song_rows(page)).to_have_count(1)


async def test_keyboard_only_adds_a_song(app: App, context: BrowserContext) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("keys"))
    add = page.get_by_role("button", name="Add song")
    for _ in range(30):
        if await add.evaluate("el => el === document.activeElement"):
            break
        await page.keyboard.press("Tab")
    await expect(add).to_be_focused()
    await page.keyboard.press("Enter")
    form = page.get_by_role("form", name="Add a song")
    await expect(form.get_by_label("Name")).to_be_focused()
    await page.keyboard.type("Aberdeen")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Cage the Elephant")
    await page.keyboard.press("Enter")
    await toast_says(page, "Added “Aberdeen”.")
    await expect(song_rows(page)).to_have_count(1)


async def test_on_a_phone_the_songs_are_in_sight_and_nothing_scrolls_sideways(
    app: App, browser_second: BrowserContext
) -> None:
    page = await browser_second.new_page()
    await page.set_viewport_size(PHONE)
    await sign_up(page, app.web_url, unique_email("phone"))
    await add_song(page, "A rather long song title that has to wrap somewhere", "Somebody", 1999)
    await add_song(page, "Hey Jude", "The Beatles", 1968)
    first = await song_rows(page).first.bounding_box()
    assert first is not None
    assert first["y"] + first["height"] <= PHONE["height"]
    await check_page(page)
    await readme_picture(page, "songs-phone")


async def test_every_page_passes_the_quality_bar_on_desktop_and_phone(
    app: App, context: BrowserContext
) -> None:
    """axe (no serious or critical findings), no sideways scrolling, no focus ring on a heading."""
    page = await context.new_page()
    for size in (DESKTOP, PHONE):
        await page.set_viewport_size(size)
        for path in ("/login", "/signup"):
            await page.goto(f"{app.web_url}{path}")
            await expect(page.get_by_label("Email")).to_be_visible()
            await check_page(page)
    await page.set_viewport_size(DESKTOP)
    await sign_up(page, app.web_url, unique_email("everywhere"))
    await add_song(page, "Aberdeen", "Cage the Elephant", 2011)
    for size in (DESKTOP, PHONE):
        await page.set_viewport_size(size)
        for path in ("/", "/playlists", "/team", "/account", "/explorer", "/no/such/page"):
            await page.goto(f"{app.web_url}{path}")
            await expect(page.get_by_role("heading", level=1)).to_be_visible()
            await check_page(page)


async def test_cors_preflight_from_the_app_origin_only(app: App) -> None:
    allowed = await preflight(app.gateway, app.web_url, LIST_SONGS)
    refused = await preflight(app.gateway, "http://evil.example", LIST_SONGS)
    assert (allowed.status, allowed.headers.get("access-control-allow-origin")) == (
        200,
        app.web_url,
    )
    assert refused.headers.get("access-control-allow-origin") is None
    assert refused.status >= 400


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
