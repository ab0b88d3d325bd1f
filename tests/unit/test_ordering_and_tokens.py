"""order_by, keyset conditions and page tokens (chorus_resource.ordering, chorus_core.keyset)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql

from chorus_core import keyset
from chorus_core.errors import InvalidArgument
from chorus_resource.ordering import SortKey, after, parse_order_by
from chorus_resource.songs import SONGS

TABLE = SONGS.table


def test_order_by_ends_with_the_id() -> None:
    assert parse_order_by("year desc, name", SONGS.sortable) == (
        SortKey("year", descending=True),
        SortKey("name"),
        SortKey("id"),
    )
    assert parse_order_by("", SONGS.sortable) == (SortKey("create_time"), SortKey("id"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("colour", "cannot sort by 'colour'"),
        ("name sideways", "expected `asc`, `desc` or a comma"),
        ("name,", "item 2 is empty"),
        ("name, name desc", "'name' appears twice"),
    ],
)
def test_bad_order_by(text: str, says: str) -> None:
    with pytest.raises(InvalidArgument) as error:
        parse_order_by(text, SONGS.sortable)
    assert says in error.value.violations[0].description


def compiled(keys: str, values: tuple[object, ...]) -> str:
    condition = after(TABLE, parse_order_by(keys, SONGS.sortable), values)
    return str(condition.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def test_one_direction_without_empty_values_is_one_row_comparison() -> None:
    assert compiled("name", ("a", "id")) == (
        "(songs.name, songs.id) > (%(param_1)s::VARCHAR, %(param_2)s::VARCHAR)"
    )


def test_empty_values_sort_last_in_both_directions() -> None:
    assert "songs.year IS NULL" in compiled("year desc", (2000, "id"))
    # After an empty year come only other empty years, by id.
    assert compiled("year", (None, "id")) == "songs.year IS NULL AND songs.id > %(id_1)s::VARCHAR"


def test_tokens_round_trip_and_belong_to_their_query() -> None:
    stamp = datetime(2026, 11, 30, 12, 0, 0, 123456, tzinfo=UTC)
    token = keyset.encode((stamp, None, "x"), "query-a")

    assert keyset.decode(token, "query-a", (datetime, int, str)) == (stamp, None, "x")
    with pytest.raises(InvalidArgument, match="another filter or order_by"):
        keyset.decode(token, "query-b", (datetime, int, str))
    with pytest.raises(InvalidArgument, match="not a page token"):
        keyset.decode(token, "query-a", (int, int, str))


def test_page_sizes_are_coerced() -> None:
    sizes = [keyset.page_size(n) for n in (0, 1, keyset.MAX_PAGE_SIZE + 1)]
    assert sizes == [keyset.DEFAULT_PAGE_SIZE, 1, keyset.MAX_PAGE_SIZE]
