"""What a person does in the web app, in Playwright terms (accessible names)."""

import json
from pathlib import Path

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, ViewportSize, expect

from tests.support.accounts import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# Pictures of the main pages for the README, refreshed by every browser run.
README_SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1280, height=800)


async def signed_in(page: Page) -> None:
    """The app shell is up: the user menu is in the header."""
    await expect(page.get_by_role("button", name="Your account")).to_be_visible()


async def open_form(page: Page, url: str) -> None:
    """Open a login or sign-up address. Once more if the page stays blank: Chromium
    drops the loads under way when the machine's network changes (ERR_NETWORK_CHANGED,
    seen while containers start and stop on the same machine)."""
    for attempt in range(3):
        await page.goto(url)
        try:
            await page.get_by_label("Email").wait_for(timeout=20_000)
            return
        except PlaywrightError:
            if attempt == 2:
                raise


async def sign_up(page: Page, web_url: str, email: str, password: str = PASSWORD) -> None:
    await open_form(page, f"{web_url}/signup")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign up").click()
    await expect(page.get_by_role("heading", name="Songs", level=1)).to_be_visible()
    await signed_in(page)


async def log_in(
    page: Page, web_url: str, email: str, password: str = PASSWORD, path: str = "/"
) -> None:
    await open_form(page, f"{web_url}{path}")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await signed_in(page)


async def log_out(page: Page) -> None:
    await page.get_by_role("button", name="Your account").click()
    await page.get_by_role("menuitem", name="Log out").click()
    await expect(page.get_by_role("button", name="Log in")).to_be_visible()


async def go_to(page: Page, label: str) -> None:
    """Open a page from the navigation (the burger menu first on a phone)."""
    nav = page.get_by_role("navigation", name="Pages").first
    if not await nav.get_by_role("link", name=label).is_visible():
        await page.get_by_role("button", name="Pages").click()
    await nav.get_by_role("link", name=label).click()
    await expect(page.get_by_role("heading", level=1)).to_be_visible()


async def toast_says(page: Page, message: str) -> None:
    """The app announces `message` in a toast (a live region)."""
    await expect(page.get_by_role("status").filter(has_text=message).first).to_be_visible()


async def add_song(page: Page, name: str, artist: str, year: int | None = None) -> None:
    await page.get_by_role("button", name="Add song").click()
    form = page.get_by_role("form", name="Add a song")
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("Artist").fill(artist)
    await form.get_by_label("Year").fill("" if year is None else str(year))
    await form.get_by_role("button", name="Add song").click()
    await toast_says(page, f"Added “{name}”.")
    await expect(form).to_have_count(0)


async def send_import(page: Page, path: Path) -> Locator:
    """Choose the file in "Import songs" (through the browser's file chooser) and
    start the import; the dialog's form. The dialog opens and sends from the keyboard
    (choosing by Enter on the focused File button is Chromium's own, and its chooser
    event proved unreliable to wait for here: a click)."""
    await page.get_by_role("button", name="Import songs").press("Enter")
    form = page.get_by_role("form", name="Import songs")
    file = form.get_by_role("button", name="File")
    await expect(file).to_be_focused()
    async with page.expect_file_chooser() as chooser:
        await file.click()
    await (await chooser.value).set_files(path)
    await form.get_by_role("button", name="Start import").press("Enter")
    return form


async def start_import(page: Page, path: Path) -> Locator:
    """Import the file; the import's section on the page."""
    await expect(await send_import(page, path)).to_have_count(0)
    return page.get_by_role("region", name=f"Import of {path.name}")


def import_progress(section: Locator) -> Locator:
    """The import's progress bar: aria-valuenow rows done of aria-valuemax."""
    return section.get_by_role("progressbar", name="Import progress")


def song_rows(page: Page) -> Locator:
    return page.get_by_test_id("song-row")


def song_row(page: Page, name: str) -> Locator:
    return song_rows(page).filter(has=page.get_by_role("cell", name=name, exact=True))


async def song_names(page: Page) -> list[str]:
    return [name.strip() for name in await page.locator(".song-name").all_inner_texts()]


def switcher(page: Page) -> Locator:
    """The header's "Active tenant" chooser; its value is "<tenant> (<my role>)"."""
    return page.get_by_role("combobox", name="Active tenant")


def shown(first: int, last: int, total: int) -> str:
    """The songs table's "1-20 of 134", with an en dash."""
    return f"{first}\u2013{last} of {total}"


async def switch_tenant(page: Page, option: str) -> None:
    """Choose `option` ("The Band (Viewer)", "Personal (Owner)") in the header's switcher."""
    await switcher(page).click()
    await page.get_by_role("option", name=option, exact=True).click()
    name = option.rsplit(" (", 1)[0]
    await toast_says(page, f"Now working in “{name}”.")
    await expect(switcher(page)).to_have_value(option)


async def active_tenant(page: Page) -> str:
    return await switcher(page).input_value()


async def create_tenant(page: Page, name: str) -> None:
    """On the Team page: "New tenant", name it, create it; the app switches to it."""
    await page.get_by_role("button", name="New tenant").click()
    form = page.get_by_role("form", name="New tenant")
    await form.get_by_label("Tenant name").fill(name)
    await form.get_by_role("button", name="Create tenant").click()
    await toast_says(page, f"Created “{name}”.")
    await expect(switcher(page)).to_have_value(f"{name} (Owner)")


async def invite_member(page: Page, email: str, role: str) -> None:
    form = page.get_by_role("form", name="Invite a member")
    await form.get_by_label("Invite email").fill(email)
    await form.get_by_label("Role").select_option(label=role)
    await form.get_by_role("button", name="Invite").click()
    await toast_says(page, f"Invited {email} as {role}")


def member_row(page: Page, email: str) -> Locator:
    return page.get_by_test_id("member-row").filter(has_text=email)


async def change_member_role(page: Page, email: str, role: str) -> None:
    await page.get_by_label(f"Role of {email}").select_option(label=role)
    await toast_says(page, f"{email} is now {role}.")


async def confirm(page: Page, button: str) -> None:
    """Answer the open confirmation dialog with `button`."""
    await page.get_by_role("dialog").get_by_role("button", name=button).click()
    await expect(page.get_by_role("dialog")).to_have_count(0)


async def accessibility_problems(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    await page.add_script_tag(path=str(AXE))
    found = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))}))"""
    )
    return [json.dumps(problem) for problem in found]


async def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


async def check_page(page: Page) -> None:
    """The quality bar of every page: axe clean, no sideways scroll, no focus ring on a heading."""
    # not "networkidle": the songs page keeps its live-updates stream open
    await page.wait_for_load_state("load")
    await page.wait_for_function("!document.querySelector('.mantine-Loader-root')")
    problems = await accessibility_problems(page)
    assert not problems, f"axe finds on {page.url}:\n" + "\n".join(problems)
    overflow = await sideways_overflow(page)
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the window"
    focused = await page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || !/^H[1-6]$/.test(el.tagName)) return "none";
            return getComputedStyle(el).outlineStyle;
        }"""
    )
    assert focused == "none", f"a focused heading on {page.url} shows a {focused} outline"


async def readme_picture(page: Page, name: str) -> None:
    """A small picture of the page as it is now, for the README."""
    README_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=README_SCREENSHOTS / f"{name}.png")
