"""Shared tenants in a real browser, two people in two browser contexts.

jane creates a band (the app switches to it), invites john as a viewer and
someone else by mistake (revoked); john accepts (the app switches him to the
band) and reads its songs without the controls to change them; jane makes
him an editor, and after his next token refresh he adds a song that jane
sees as added by him; then he leaves, and jane deletes the band.
"""

import re

from playwright.async_api import BrowserContext, Page, expect

from tests.support.accounts import unique_email
from tests.support.gateway import preflight
from tests.support.running_app import App
from tests.support.web_app import (
    DESKTOP,
    PHONE,
    active_tenant,
    add_song,
    change_member_role,
    check_page,
    confirm,
    create_tenant,
    go_to,
    invite_member,
    member_row,
    readme_picture,
    sign_up,
    song_names,
    song_row,
    song_rows,
    switch_tenant,
    switcher,
    toast_says,
)

BAND = "The Band"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TENANT_SERVICE = "/chorus.auth.v1.TenantService/ListMyTenants"


async def require_tenant_route(app: App) -> None:
    """Fail with the reason, not with a page that says the server can't be reached."""
    status = (await preflight(app.gateway, app.web_url, TENANT_SERVICE)).status
    assert status == 200, (
        f"the gateway answers {status} to a preflight for {TENANT_SERVICE}: it must route "
        "chorus.auth.v1.TenantService to the auth cluster (gateway/envoy.template.yaml)"
    )


async def expect_read_only(page: Page) -> None:
    await expect(page.get_by_role("button", name="Add song")).to_have_count(0)
    await expect(page.get_by_role("button", name="Edit", exact=False)).to_have_count(0)
    await expect(page.get_by_text("You are a viewer in this tenant")).to_be_visible()


async def test_a_band_shares_its_songs_by_role(
    app: App, context: BrowserContext, browser_second: BrowserContext
) -> None:
    await require_tenant_route(app)
    jane_email, john_email, typo = unique_email("jane"), unique_email("john"), unique_email("jhon")
    jane, john = await context.new_page(), await browser_second.new_page()

    # jane: a band (switched to at once), two songs in it
    await sign_up(jane, app.web_url, jane_email)
    await add_song(jane, "Jane's own", "Jane")
    await go_to(jane, "Team")
    await expect(jane.get_by_text("You are working in your personal tenant")).to_be_visible()
    await create_tenant(jane, BAND)
    await expect(member_row(jane, jane_email)).to_contain_text("Owner")
    await go_to(jane, "Songs")
    await expect(song_rows(jane)).to_have_count(0)
    await add_song(jane, "Aberdeen", "Cage the Elephant", 2011)
    await add_song(jane, "Trouble", "Cage the Elephant")

    # invitations: the role starts at the lowest each time; a mistake is revoked
    await go_to(jane, "Team")
    role = jane.get_by_role("form", name="Invite a member").get_by_label("Role")
    await expect(role.locator("option:checked")).to_have_text("Viewer")
    await invite_member(jane, typo, "Editor")
    await expect(role.locator("option:checked")).to_have_text("Viewer")
    await invite_member(jane, john_email, "Viewer")
    invitations = jane.get_by_test_id("pending-invitation")
    await expect(invitations).to_have_count(2)
    await expect(invitations.filter(has_text=john_email)).to_contain_text("Viewer")
    await jane.get_by_role("button", name=f"Revoke the invitation of {typo}").click()
    await confirm(jane, "Revoke invitation")
    await toast_says(jane, f"Revoked the invitation of {typo}.")
    await expect(invitations).to_have_count(1)
    await check_page(jane)
    await readme_picture(jane, "team")

    # john: accepts (and is switched to the band), reads, can't change
    await sign_up(john, app.web_url, john_email)
    await go_to(john, "Team")
    mine = john.get_by_role("list", name="Invitations")
    await expect(mine.get_by_role("listitem")).to_contain_text(f"Join “{BAND}” as Viewer")
    await mine.get_by_role("button", name="Accept").click()
    await toast_says(john, f"You joined “{BAND}” as Viewer.")
    assert await active_tenant(john) == f"{BAND} (Viewer)"
    await expect(john.get_by_role("form", name="Invite a member")).to_have_count(0)
    await go_to(john, "Songs")
    await expect(song_rows(john)).to_have_count(2)
    assert sorted(await song_names(john)) == ["Aberdeen", "Trouble"]
    await expect_read_only(john)
    await expect(song_row(john, "Aberdeen")).to_contain_text(jane_email)  # added by

    # jane makes him an editor (her page learns of him on reload)
    await jane.reload()
    await expect(member_row(jane, john_email)).to_be_visible()
    await change_member_role(jane, john_email, "Editor")
    await jane.set_viewport_size(PHONE)
    await check_page(jane)
    await jane.set_viewport_size(DESKTOP)

    # john's token still says viewer; a refresh (here: on reload) brings the new role
    await john.reload()
    await expect(switcher(john)).to_have_value(f"{BAND} (Editor)")
    await add_song(john, "Hey Jude", "The Beatles", 1968)
    await jane.goto(f"{app.web_url}/")
    await expect(song_rows(jane)).to_have_count(3)
    await expect(song_row(jane, "Hey Jude")).to_contain_text(john_email)

    # john leaves (asked once more): back in his personal tenant, still signed in
    await go_to(john, "Team")
    await john.get_by_role("button", name="Leave tenant").click()
    await confirm(john, "Leave tenant")
    await toast_says(john, f"You left “{BAND}”.")
    await expect(switcher(john)).to_have_value("Personal (Owner)")
    await john.reload()
    await switcher(john).click()
    await expect(john.get_by_role("option")).to_have_text(["Personal (Owner)"])

    # jane deletes the band (asked once more) and is back in her personal tenant
    await go_to(jane, "Team")
    await expect(member_row(jane, john_email)).to_have_count(0)
    await jane.get_by_role("button", name="Delete tenant").click()
    await confirm(jane, "Delete tenant")
    await toast_says(jane, f"Deleted “{BAND}”.")
    await expect(switcher(jane)).to_have_value("Personal (Owner)")
    await go_to(jane, "Songs")
    await expect(song_rows(jane)).to_have_count(1)
    assert await song_names(jane) == ["Jane's own"]


async def test_removing_a_member_asks_first(
    app: App, context: BrowserContext, browser_second: BrowserContext
) -> None:
    await require_tenant_route(app)
    owner_email, member_email = unique_email("owner"), unique_email("member")
    owner, member = await context.new_page(), await browser_second.new_page()
    await sign_up(owner, app.web_url, owner_email)
    await go_to(owner, "Team")
    await create_tenant(owner, "Choir")
    await invite_member(owner, member_email, "Editor")
    await sign_up(member, app.web_url, member_email)
    await go_to(member, "Team")
    await member.get_by_role("button", name="Accept").click()
    await toast_says(member, "You joined “Choir” as Editor.")

    await owner.reload()
    await owner.get_by_role("button", name=f"Remove {member_email}").click()
    await confirm(owner, "Cancel")
    await expect(member_row(owner, member_email)).to_be_visible()
    await owner.get_by_role("button", name=f"Remove {member_email}").click()
    await confirm(owner, "Remove member")
    await toast_says(owner, f"Removed {member_email} from “Choir”.")
    await expect(member_row(owner, member_email)).to_have_count(0)


async def test_switching_tenant_from_the_header_and_the_account_page(
    app: App, context: BrowserContext
) -> None:
    await require_tenant_route(app)
    page = await context.new_page()
    email = unique_email("switcher")
    await sign_up(page, app.web_url, email)
    await go_to(page, "Team")
    await create_tenant(page, "Label")
    await go_to(page, "Account")
    await expect(page.get_by_test_id("active-tenant")).to_have_text("Label as Owner")
    await page.get_by_role("button", name="Switch to Personal").click()
    await toast_says(page, "Now working in “Personal”.")
    await expect(page.get_by_test_id("active-tenant")).to_have_text("Personal as Owner")
    await check_page(page)
    await readme_picture(page, "account")
    await switch_tenant(page, "Label (Owner)")
    await expect(page.get_by_test_id("active-tenant")).to_have_text("Label as Owner")
    assert not UUID.search(await page.locator("main").inner_text())  # names, never ids
