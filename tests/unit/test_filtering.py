"""The AIP-160 filter subset (chorus_resource.filtering), compiled to SQL."""

import pytest
from sqlalchemy.dialects import postgresql

from chorus_core.errors import InvalidArgument
from chorus_resource.filtering import MAX_DEPTH, MAX_TERMS, parse_filter
from chorus_resource.songs import SONGS

TABLE = SONGS.table


def sql(text: str) -> str:
    condition = parse_filter(text, TABLE, SONGS.filterable).condition
    return str(condition.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def refusal(text: str) -> str:
    with pytest.raises(InvalidArgument) as error:
        parse_filter(text, TABLE, SONGS.filterable)
    [violation] = error.value.violations
    assert violation.field == "filter"
    return violation.description


def test_and_binds_tighter_than_or() -> None:
    assert sql("year = 1 OR year = 2 AND name = x") == (
        "songs.year = %(year_1)s::INTEGER OR songs.year = %(year_2)s::INTEGER"
        " AND songs.name = %(name_1)s::VARCHAR"
    )


def test_parentheses_group() -> None:
    assert "(songs.year" in sql("(year = 1 OR year = 2) AND name = x")


def test_contains_is_case_insensitive_and_escapes_wildcards() -> None:
    compiled = parse_filter('name:"50%_off"', TABLE, SONGS.filterable).condition.compile()
    assert "lower(songs.name) LIKE" in str(compiled)
    assert compiled.params == {"name_1": "50/%/_off"}


def test_not_equal_matches_empty_values() -> None:
    assert sql("year != 2000") == "songs.year IS DISTINCT FROM %(year_1)s::INTEGER"


def test_empty_filter_matches_everything() -> None:
    assert sql("   ") == "true"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("colour = red", "cannot filter on 'colour'"),
        ("year = nineteen", "'year' (column 8) needs a whole number"),
        ("year:19", "`:` (contains) works on text fields only"),
        ('create_time > "soon"', "RFC 3339"),
        ("name = ", "ends too early"),
        ("name == x", "unexpected '=' at column 7"),
        ("name = x )", "unexpected ')'"),
        ("name = 'x'", "unexpected character"),
    ],
)
def test_refusals_say_where_and_why(text: str, says: str) -> None:
    assert says in refusal(text)


def test_nesting_and_size_are_bounded() -> None:
    assert "nested too deeply" in refusal("NOT " * (MAX_DEPTH + 1) + "name = x")
    assert "too many comparisons" in refusal(" OR ".join(["year = 1"] * (MAX_TERMS + 1)))
