"""Shared tenants in a real browser: a band shares its songs, by role.

jane creates a band and invites john as a viewer; john accepts, switches to
the band and reads its songs without the controls to change them; jane makes
him an editor, and after his next token refresh he adds a song; then he
leaves, and keeps working in his personal tenant.
"""

from pathlib import Path

from playwright.async_api import BrowserContext, Page, expect

from tests.support.gateway import preflight
from tests.support.running_app import App
from tests.support.web_app import (
    active_tenant,
    add_song,
    change_member_role,
    create_tenant,
    invite_member,
    member_row,
    new_email,
    sign_up,
    song_names,
    song_rows,
    status_says,
    switch_tenant,
)

BAND = "The Band"
TENANT_SERVICE = "/chorus.auth.v1.TenantService/ListMyTenants"


async def require_tenant_route(app: App) -> None:
    """Fail with the reason, not with a page that says the server can't be reached."""
    status = (await preflight(app.gateway, app.web_url, TENANT_SERVICE)).status
    assert status == 200, (
        f"the gateway answers {status} to a preflight for {TENANT_SERVICE}: it must route "
        "chorus.auth.v1.TenantService to the auth cluster (gateway/envoy.template.yaml)"
    )


async def expect_read_only(page: Page) -> None:
    await expect(page.get_by_role("form", name="Add a song")).to_have_count(0)
    await expect(page.get_by_role("button", name="Edit")).to_have_count(0)
    await expect(page.get_by_role("button", name="Delete")).to_have_count(0)


async def fits_a_phone(page: Page, screenshot: Path) -> None:
    """No sideways scrolling at phone width; then back to the desktop size."""
    size = page.viewport_size
    await page.set_viewport_size({"width": 375, "height": 740})
    overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    await page.screenshot(path=screenshot, full_page=True)
    assert overflow <= 0
    if size is not None:
        await page.set_viewport_size(size)


async def test_a_band_shares_its_songs_by_role(
    app: App, context: BrowserContext, browser_second: BrowserContext, screenshots: Path
) -> None:
    await require_tenant_route(app)
    jane_email, john_email = new_email("jane"), new_email("john")
    jane, john = await context.new_page(), await browser_second.new_page()

    # jane: a band, two songs in it, and john invited as a viewer
    await sign_up(jane, app.web_url, jane_email)
    await add_song(jane, "Jane's own", "Jane")
    await create_tenant(jane, BAND)
    await switch_tenant(jane, f"{BAND} (Owner)")
    await expect(song_rows(jane)).to_have_count(0)
    await add_song(jane, "Aberdeen", "Cage the Elephant", 2011)
    await add_song(jane, "Trouble", "Cage the Elephant")
    await invite_member(jane, john_email, "Viewer")
    await expect(member_row(jane, jane_email)).to_contain_text("Owner")
    await jane.screenshot(path=screenshots / "tenant-members.png", full_page=True)

    # john: accepts, switches, reads, can't change
    await sign_up(john, app.web_url, john_email)
    invitations = john.get_by_role("list", name="Invitations")
    await expect(invitations.get_by_role("listitem")).to_contain_text(f"Join “{BAND}” as Viewer")
    await john.screenshot(path=screenshots / "tenant-invitation.png", full_page=True)
    await invitations.get_by_role("button", name="Accept").click()
    await status_says(john, f"You joined “{BAND}” as Viewer.")
    await expect(invitations).to_have_count(0)
    await switch_tenant(john, f"{BAND} (Viewer)")
    await expect(song_rows(john)).to_have_count(2)
    assert await song_names(john) == ["Aberdeen", "Trouble"]
    await expect(john.get_by_test_id("whoami-role")).to_have_text("Viewer")
    await expect_read_only(john)
    await expect(john.get_by_role("form", name="Invite a member")).to_have_count(0)
    await john.screenshot(path=screenshots / "tenant-viewer.png", full_page=True)

    # jane makes him an editor (her page learns of him on reload)
    await jane.reload()
    await expect(member_row(jane, john_email)).to_contain_text("Viewer")
    await change_member_role(jane, john_email, "Editor")
    await expect(member_row(jane, john_email)).to_contain_text("Editor")
    await fits_a_phone(jane, screenshots / "tenant-members-phone.png")

    # john's token still says viewer; a refresh (here: on reload) brings the new role
    await john.reload()
    await expect(john.get_by_test_id("whoami-role")).to_have_text("Editor")
    await expect(active_tenant(john)).to_contain_text(f"working in {BAND} as Editor")
    await add_song(john, "Hey Jude", "The Beatles", 1968)
    await jane.reload()
    await expect(song_rows(jane)).to_have_count(3)
    await jane.screenshot(path=screenshots / "tenant-switcher.png", full_page=True)

    # john leaves: back in his personal tenant, still signed in
    await john.get_by_role("button", name="Leave tenant").click()
    await status_says(john, f"You left “{BAND}”.")
    await expect(active_tenant(john)).to_contain_text("working in Personal as Owner")
    await expect(john.get_by_role("list", name="Members")).to_have_count(0)
    await expect(song_rows(john)).to_have_count(0)
    await john.screenshot(path=screenshots / "tenant-left.png", full_page=True)
    await john.reload()
    await expect(john.get_by_test_id("whoami-email")).to_have_text(john_email)
    await expect(john.get_by_label("Active tenant").locator("option")).to_have_text(
        ["Personal (Owner)"]
    )

    await jane.reload()
    await expect(member_row(jane, john_email)).to_have_count(0)
    await expect(song_rows(jane)).to_have_count(3)
    assert await song_names(jane) == ["Aberdeen", "Trouble", "Hey Jude"]
