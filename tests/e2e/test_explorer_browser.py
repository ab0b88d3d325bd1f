"""The API explorer in a real browser: every service of protos/ listed with
its comments and field rules, calls sent through the gateway with the
session's token, replies and errors (with their details) shown."""

from playwright.async_api import BrowserContext, expect

from tests.support.accounts import unique_email
from tests.support.running_app import App
from tests.support.web_app import PHONE, check_page, go_to, readme_picture, sign_up, song_rows

SERVICES = [
    "chorus.auth.v1.AuthService",
    "chorus.auth.v1.TenantService",
    "chorus.resource.v1.PlaylistService",
    "chorus.resource.v1.SongService",
]


async def test_the_explorer_lists_documents_and_calls_every_method(
    app: App, context: BrowserContext
) -> None:
    page = await context.new_page()
    email = unique_email("developer")
    await sign_up(page, app.web_url, email)
    await go_to(page, "API explorer")
    methods = page.get_by_role("navigation", name="Services and methods")
    for service in SERVICES:
        await expect(methods.get_by_text(service, exact=True)).to_be_visible()

    await methods.get_by_role("link", name="CreateSong").click()
    assert page.url.endswith("/explorer/chorus.resource.v1.SongService/CreateSong")
    await expect(page.get_by_test_id("method-comment")).to_contain_text("Add a song.")
    await expect(page.get_by_test_id("field-rules").first).to_be_visible()
    request = page.get_by_label("Request (CreateSongRequest as JSON)")
    await expect(request).to_contain_text('"artist": "Cage the Elephant"')

    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_test_id("call-status")).to_have_text("OK (0)")
    await expect(page.get_by_test_id("call-reply")).to_contain_text('"name": "Aberdeen"')
    await check_page(page)
    await readme_picture(page, "explorer")

    await request.fill('{"song": {"name": "", "artist": "", "year": 3000}}')
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_test_id("call-status")).to_have_text("INVALID_ARGUMENT (3)")
    await expect(page.get_by_text("Details: google.rpc.BadRequest")).to_be_visible()

    await request.fill("{not json")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_text("The request is not a valid CreateSongRequest")).to_be_visible()

    # a reload keeps the method (the address names it); the call went through as this user
    await page.goto(f"{app.web_url}/explorer/chorus.auth.v1.AuthService/WhoAmI")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_test_id("call-reply")).to_contain_text(email)
    await page.goto(app.web_url)
    await expect(song_rows(page)).to_have_count(1)


async def test_the_explorer_on_a_phone(app: App, browser_second: BrowserContext) -> None:
    page = await browser_second.new_page()
    await page.set_viewport_size(PHONE)
    await sign_up(page, app.web_url, unique_email("phone-dev"))
    await page.goto(f"{app.web_url}/explorer")
    await page.get_by_label("Method", exact=True).select_option(label="ListSongs")
    await expect(page.get_by_role("heading", name="SongService.ListSongs")).to_be_visible()
    await check_page(page)
