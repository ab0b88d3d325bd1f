"""Importing songs from a file in a real browser, through the real gateway:
progress to the end with rejected lines, errors about the file, Cancel
part-way through a big file, and a reload in the middle of one."""

import json
import re
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Locator, Page, Route, expect

from tests.support.accounts import unique_email
from tests.support.running_app import App
from tests.support.web_app import (
    check_page,
    import_progress,
    readme_picture,
    send_import,
    shown,
    sign_up,
    song_row,
    song_rows,
    start_import,
)

# Long enough for Cancel and a reload to land part-way (about 9 s on SQLite here),
# small enough to keep the tests short.
BIG_ROWS = 10_000
FINISH_MS = 120_000
WATCH_OPERATION = "/chorus.resource.v1.OperationService/WatchOperation"


def csv_file(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text("name,artist,year\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def big_file(folder: Path) -> Path:
    return csv_file(
        folder, "big.csv", [f"Song {n:05},Artist {n % 97},{1950 + n % 70}" for n in range(BIG_ROWS)]
    )


async def rows_done(section: Locator) -> int:
    return int(await import_progress(section).get_attribute("aria-valuenow") or 0)


async def big_import_under_way(page: Page, folder: Path) -> Locator:
    """A big import started, some rows done, not all (the first batches have committed)."""
    section = await start_import(page, big_file(folder))
    await expect(import_progress(section)).not_to_have_attribute("aria-valuenow", "0")
    assert await rows_done(section) < BIG_ROWS, "the import finished before the test could act"
    return section


async def test_an_import_shows_its_progress_rejected_lines_and_songs(
    app: App, context: BrowserContext, tmp_path: Path
) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("importer"))
    path = csv_file(
        tmp_path,
        "songs.csv",
        [
            "Aberdeen,Cage the Elephant,2011",
            "Shake Me Down,Cage the Elephant,3011",
            "Trouble,Cage the Elephant,",
            ",Nobody,2000",
            "Ain't No Rest for the Wicked,Cage the Elephant,2008",
        ],
    )
    section = await start_import(page, path)

    await expect(section.get_by_test_id("import-state")).to_have_text(
        "Done: 3 songs imported, 2 rows rejected."
    )
    progress = import_progress(section)
    await expect(progress).to_have_attribute("aria-valuenow", "5")
    await expect(progress).to_have_attribute("aria-valuemax", "5")
    await expect(progress).to_have_attribute("aria-valuetext", "5 of 5 rows")
    await expect(section.get_by_test_id("import-counts")).to_have_text(
        re.compile(r"5 of 5 rows\s*3 imported\s*2 rejected")
    )
    await expect(
        section.get_by_role("list", name="2 rejected rows").get_by_role("listitem")
    ).to_have_text(
        [
            "line 3: year must be greater than or equal to 1000 and less than or equal to 2100",
            "line 5: name must not be empty or blank",
        ]
    )
    await expect(song_rows(page)).to_have_count(3)  # the live list, no reload
    await expect(song_row(page, "Trouble")).to_be_visible()
    await check_page(page)
    await readme_picture(page, "import")
    await section.get_by_role("button", name="Close").click()
    await expect(section).to_have_count(0)


async def test_a_json_file_imports_too(app: App, context: BrowserContext, tmp_path: Path) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("json"))
    path = tmp_path / "mix.json"
    path.write_text(
        json.dumps(
            [
                {"name": "Hey Jude", "artist": "The Beatles", "year": 1968},
                {"name": "Yesterday", "artist": "The Beatles", "year": 965},
            ]
        ),
        encoding="utf-8",
    )
    section = await start_import(page, path)
    await expect(section.get_by_test_id("import-state")).to_have_text(
        "Done: 1 song imported, 1 row rejected."
    )
    await expect(section.get_by_role("list", name="1 rejected row")).to_have_text(
        "line 1, item 2: year must be greater than or equal to 1000 and less than or equal to 2100"
    )
    await expect(song_rows(page)).to_have_count(1)


UNREADABLE = {
    "broken.csv": (
        "name,artist,year\nAberdeen,Cage the Elephant\n",
        "The file can't be imported: line 2: has 2 fields, the header 3.",
    ),
    # over the services' message limit (1 MiB by default)
    "huge.csv": (
        "name,artist,year\n" + "A song of a rather long name,An artist,2000\n" * 30_000,
        "The file is too large for one import (1.3 MB; at most 1.0 MB). "
        "Split it into smaller files.",
    ),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE))
async def test_a_file_that_cannot_be_imported_says_why_next_to_it(
    app: App, context: BrowserContext, tmp_path: Path, name: str
) -> None:
    content, sentence = UNREADABLE[name]
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("unreadable"))
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    form = await send_import(page, path)
    file = form.get_by_role("button", name="File")
    await expect(file).to_have_attribute("aria-invalid", "true")
    await expect(file).to_have_accessible_description(re.compile(re.escape(sentence)))
    await expect(file).to_be_focused()
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("region", name=re.compile("^Import"))).to_have_count(0)


async def test_cancel_stops_a_big_import_part_way(
    app: App, context: BrowserContext, tmp_path: Path
) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("canceller"))
    section = await big_import_under_way(page, tmp_path)

    await section.get_by_role("button", name="Cancel import").click()
    state = section.get_by_test_id("import-state")
    await expect(state).to_have_text(re.compile(r"^Cancelled after [\d,]+ of 10,000 rows\."))
    await expect(section.get_by_role("button", name="Cancel import")).to_have_count(0)
    done = await rows_done(section)
    assert 0 < done < BIG_ROWS
    counts = await section.get_by_test_id("import-counts").inner_text()
    found = re.search(r"([\d,]+) imported", counts)
    assert found, counts
    imported = int(found[1].replace(",", ""))
    assert imported == done  # no row of this file is rejected
    # the rows of committed batches stay, and no more come
    await expect(page.get_by_test_id("range")).to_have_text(shown(1, 20, imported))
    await page.wait_for_timeout(2_000)
    await page.reload()
    await expect(page.get_by_test_id("range")).to_have_text(shown(1, 20, imported))
    await expect(page.get_by_role("region", name=re.compile("^Import"))).to_have_count(0)


async def test_a_reload_shows_the_same_import_still_running_and_followed_again(
    app: App, context: BrowserContext, tmp_path: Path
) -> None:
    page = await context.new_page()
    await sign_up(page, app.web_url, unique_email("reloader"))
    section = await big_import_under_way(page, tmp_path)
    operation = await section.get_attribute("data-operation")
    before = await rows_done(section)

    # and while the progress stream can't get through, the page says so and tries again
    async def refused(route: Route) -> None:
        await route.abort("connectionrefused")

    await context.route(f"**{WATCH_OPERATION}", refused)
    await page.reload()
    again = page.get_by_role("region", name=re.compile(r"^Import started at "))
    await expect(again).to_have_attribute("data-operation", operation or "")
    assert await rows_done(again) >= before  # found running (ListOperations), its progress kept
    state = again.get_by_test_id("import-state")
    await expect(state).to_have_text("Importing… Reconnecting to follow its progress.")
    await context.unroute(f"**{WATCH_OPERATION}", refused)
    await expect(state).to_have_text("Done: 10,000 songs imported.", timeout=FINISH_MS)
    await expect(page.get_by_test_id("range")).to_have_text(shown(1, 20, BIG_ROWS))
