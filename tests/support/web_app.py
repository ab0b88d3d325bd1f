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


async def create_tenant(page: Page, name: str) -> None:
    """Open "New tenant", name it, create it (the form closes again)."""
    await page.get_by_role("button", name="New tenant").click()
    form = page.get_by_role("form", name="New tenant")
    await form.get_by_label("Tenant name").fill(name)
    await form.get_by_role("button", name="Create tenant").click()
    await status_says(page, f"Created “{name}”.")


def active_tenant(page: Page) -> Locator:
    """The sentence "You are working in <tenant> as <role>."."""
    return page.get_by_test_id("active-tenant")


async def switch_tenant(page: Page, option: str) -> None:
    """Choose `option` ("The Band (Viewer)", "Personal (Owner)") and switch to it."""
    await page.get_by_label("Active tenant").select_option(label=option)
    await page.get_by_role("button", name="Switch").click()
    name = option.rsplit(" (", 1)[0]
    await expect(active_tenant(page)).to_contain_text(f"working in {name} as")


async def invite_member(page: Page, email: str, role: str) -> None:
    form = page.get_by_role("form", name="Invite a member")
    await form.get_by_label("Invite email").fill(email)
    await form.get_by_label("Role").select_option(label=role)
    await form.get_by_role("button", name="Invite").click()
    await status_says(page, f"Invited {email} as {role}.")


def member_row(page: Page, email: str) -> Locator:
    return page.get_by_role("list", name="Members").get_by_role("listitem").filter(has_text=email)


async def change_member_role(page: Page, email: str, role: str) -> None:
    await page.get_by_label(f"Role of {email}").select_option(label=role)
    await member_row(page, email).get_by_role("button", name="Change role").click()
    await status_says(page, f"{email} is now {role}.")
