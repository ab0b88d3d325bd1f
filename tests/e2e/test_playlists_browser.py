"""Playlists in a real browser: create and describe one, add songs with the
search picker, reorder, remove, rename; the order survives a reload."""

from playwright.async_api import BrowserContext, Page, expect

from chorus_client import ChorusClient
from tests.support.accounts import PASSWORD, unique_email
from tests.support.running_app import App
from tests.support.web_app import check_page, confirm, go_to, log_in, readme_picture, toast_says


async def playlist_order(page: Page) -> list[str]:
    names = page.locator(".playlist-song-name")
    return [name.strip() for name in await names.all_inner_texts()]


async def add_to_playlist(page: Page, search: str, option: str) -> None:
    picker = page.get_by_role("combobox", name="Add a song")
    await picker.fill(search)
    await page.get_by_role("option", name=option).click()
    await toast_says(page, "to the playlist.")


async def test_a_playlist_keeps_its_songs_in_order(app: App, context: BrowserContext) -> None:
    email = unique_email("dj")
    async with ChorusClient(app.gateway, app.gateway) as chorus:
        dj = await chorus.sign_up(email, PASSWORD)
        await dj.songs.create("Aberdeen", "Cage the Elephant", 2011)
        await dj.songs.create("Hey Jude", "The Beatles", 1968)
        await dj.songs.create("Trouble", "Cage the Elephant", 2015)
    page = await context.new_page()
    await log_in(page, app.web_url, email)
    await go_to(page, "Playlists")
    await expect(page.get_by_text("No playlists yet.")).to_be_visible()

    await page.get_by_role("button", name="New playlist").click()
    form = page.get_by_role("form", name="New playlist")
    await form.get_by_role("button", name="Create playlist").click()  # no name: refused
    await expect(form.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    await form.get_by_label("Name").fill("Road trip")
    await form.get_by_label("Description").fill("For the long drive north.")
    await form.get_by_role("button", name="Create playlist").click()
    await toast_says(page, "Created the playlist “Road trip”.")
    await expect(page.get_by_role("heading", name="Road trip", level=1)).to_be_visible()
    await expect(page.get_by_test_id("playlist-description")).to_have_text(
        "For the long drive north."
    )

    await add_to_playlist(page, "cage", "Trouble — Cage the Elephant")
    await add_to_playlist(page, "jude", "Hey Jude — The Beatles")
    await add_to_playlist(page, "aber", "Aberdeen — Cage the Elephant")
    await expect(page.get_by_test_id("playlist-song")).to_have_count(3)
    assert await playlist_order(page) == ["Trouble", "Hey Jude", "Aberdeen"]

    await page.get_by_role("button", name="Move Aberdeen up").click()
    await toast_says(page, "Moved “Aberdeen” up.")
    await page.get_by_role("button", name="Remove Trouble from the playlist").click()
    await toast_says(page, "Removed “Trouble” from the playlist.")
    await expect(page.get_by_test_id("playlist-song")).to_have_count(2)
    await page.reload()
    await expect(page.get_by_test_id("playlist-song")).to_have_count(2)
    assert await playlist_order(page) == ["Aberdeen", "Hey Jude"]
    await check_page(page)
    await readme_picture(page, "playlist")

    await page.get_by_role("button", name="Edit").click()
    edit = page.get_by_role("form", name="Edit “Road trip”")
    await edit.get_by_label("Name").fill("Road trip north")
    await edit.get_by_role("button", name="Save").click()
    await toast_says(page, "Saved “Road trip north”.")
    await go_to(page, "Playlists")
    row = page.get_by_test_id("playlist-row").filter(has_text="Road trip north")
    await expect(row).to_contain_text("2")
    await check_page(page)

    await row.get_by_role("link").click()
    await page.get_by_role("button", name="Delete playlist").click()
    await confirm(page, "Delete playlist")
    await toast_says(page, "Deleted the playlist “Road trip north”.")
    await expect(page.get_by_text("No playlists yet.")).to_be_visible()
