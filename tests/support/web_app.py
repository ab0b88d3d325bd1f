"""What a person does in the web app, in Playwright terms (accessible names)."""

import uuid

from playwright.async_api import Locator, Page, expect

PASSWORD = "password1x"


def new_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


async def sign_up(page: Page, web_url: str, email: str, password: str = PASSWORD) -> None:
    await page.goto(f"{web_url}/#signup")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.get_by_test_id("whoami-email")).to_have_text(email)


async def log_in(page: Page, web_url: str, email: str, password: str = PASSWORD) -> None:
    await page.goto(web_url)
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_test_id("whoami-email")).to_have_text(email)


async def add_song(page: Page, name: str, artist: str, year: int | None = None) -> None:
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Artist").fill(artist)
    await page.get_by_label("Year").fill("" if year is None else str(year))
    await page.get_by_role("button", name="Add song").click()
    await status_says(page, f"Added “{name}”.")


async def status_says(page: Page, message: str) -> None:
    """The app announces `message` in a live region."""
    await expect(page.get_by_role("status").filter(has_text=message)).to_be_visible()


def song_rows(page: Page) -> Locator:
    return page.get_by_test_id("song-row")


def song_row(page: Page, name: str) -> Locator:
    return song_rows(page).filter(has_text=name)


async def song_names(page: Page) -> list[str]:
    return [name.strip() for name in await page.locator(".song-name").all_inner_texts()]
