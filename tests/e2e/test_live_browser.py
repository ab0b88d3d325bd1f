"""Live updates in a real browser: two people in one shared tenant see each
other's changes within a second, without reloading; a third person, in
another tenant, sees none of them (and the other two none of hers).

Each change's delay is measured from the click that sends it to the other
page showing it. The typical (median) delay must be within the issue's
second; a single one may take longer while other work holds the shared
machine, but none past `WORST_S` (the server's fallback poll alone would
miss the median)."""

import asyncio
import statistics

from playwright.async_api import BrowserContext, Locator, Page, expect

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus_client import ChorusClient
from tests.support.accounts import PASSWORD, unique_email
from tests.support.running_app import App
from tests.support.web_app import add_song, log_in, song_names, song_row, switch_tenant

BAND = "The Band"
LIVE_S = 1.0
"""How long a change takes to reach another member's open page (issue 10), typically."""
WORST_S = 2.5
"""The most any one change may take, on a machine other work shares."""


async def open_songs(page: Page, app: App, email: str, tenant: str | None = None) -> None:
    await log_in(page, app.web_url, email)
    if tenant:
        await switch_tenant(page, tenant)
    await expect(page.get_by_test_id("live-state")).to_have_text("Live")


async def submit_new_song(page: Page, name: str, artist: str) -> float:
    """Fill in "Add a song" and send it; when it was sent (a loop time)."""
    await page.get_by_role("button", name="Add song").click()
    form = page.get_by_role("form", name="Add a song")
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("Artist").fill(artist)
    sent = asyncio.get_running_loop().time()
    await form.get_by_role("button", name="Add song").click()
    return sent


async def shown_after(where: Locator, since: float) -> float:
    """How long after `since` (a loop time) `where` became visible."""
    await expect(where).to_be_visible()
    return asyncio.get_running_loop().time() - since


async def test_members_see_each_others_edits_live_and_another_tenant_sees_none(
    app: App,
    context: BrowserContext,
    browser_second: BrowserContext,
    browser_third: BrowserContext,
) -> None:
    jane_email, john_email, eve_email = (unique_email(n) for n in ("jane", "john", "eve"))
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        jane = await chorus.sign_up(jane_email, PASSWORD)
        band = await jane.tenants.create(BAND)
        await jane.tenants.invite(band.id, john_email, auth_pb.ROLE_EDITOR)
        john = await chorus.sign_up(john_email, PASSWORD)
        [invitation] = await john.tenants.invitations()
        await john.tenants.accept(invitation.id)
        await chorus.sign_up(eve_email, PASSWORD)
    jane_page = await context.new_page()
    john_page = await browser_second.new_page()
    eve_page = await browser_third.new_page()
    await open_songs(jane_page, app, jane_email, f"{BAND} (Owner)")
    await open_songs(john_page, app, john_email, f"{BAND} (Editor)")
    await open_songs(eve_page, app, eve_email)
    clock = asyncio.get_running_loop()

    delays: list[float] = []
    # jane adds: john sees it
    started = await submit_new_song(jane_page, "Aberdeen", "Cage the Elephant")
    delays.append(await shown_after(song_row(john_page, "Aberdeen"), started))

    # john edits jane's song: jane sees the change
    await john_page.get_by_role("button", name="Edit Aberdeen").click()
    form = john_page.get_by_role("form", name="Edit “Aberdeen”")
    await form.get_by_label("Year").fill("2012")
    started = clock.time()
    await form.get_by_role("button", name="Save").click()
    delays.append(
        await shown_after(
            song_row(jane_page, "Aberdeen").get_by_role("cell", name="2012", exact=True), started
        )
    )

    # john adds, jane deletes: each sees the other's
    started = await submit_new_song(john_page, "Trouble", "Cage the Elephant")
    delays.append(await shown_after(song_row(jane_page, "Trouble"), started))
    await jane_page.get_by_role("button", name="Delete Trouble").click()
    started = clock.time()
    await jane_page.get_by_role("dialog").get_by_role("button", name="Delete song").click()
    await expect(song_row(john_page, "Trouble")).to_have_count(0)
    delays.append(clock.time() - started)
    shown = ", ".join(f"{delay:.2f}" for delay in delays)
    assert statistics.median(delays) <= LIVE_S, f"changes took {shown} s to show elsewhere"
    assert max(delays) <= WORST_S, f"changes took {shown} s to show elsewhere"

    # eve, in her own tenant all along: her change is hers alone
    await add_song(eve_page, "Eve's own", "Eve")
    await asyncio.sleep(WORST_S)  # longer than any change above may take to arrive
    assert await song_names(eve_page) == ["Eve's own"]
    assert await song_names(jane_page) == ["Aberdeen"]
    assert await song_names(john_page) == ["Aberdeen"]
    await expect(eve_page.get_by_test_id("live-state")).to_have_text("Live")
