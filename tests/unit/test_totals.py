"""`Totals`: which counts a list keeps, forgets and leaves alone (the rules in `totals`)."""

from chorus_resource.totals import Total, TotalKey, Totals

KEY: TotalKey = ("tenant", "Song", "")


def test_a_complete_count_is_kept_and_a_matching_seq_leaves_it() -> None:
    totals = Totals()
    totals.settle(KEY, None, Total(7, 3), complete=True)
    kept = totals.get(KEY)
    assert kept == Total(7, 3)
    totals.settle(KEY, kept, Total(7, 3), complete=False)  # a hit: the count was not made
    assert totals.get(KEY) is kept


def test_an_incomplete_count_is_never_kept() -> None:
    totals = Totals()
    totals.settle(KEY, None, Total(7, 3), complete=False)
    assert totals.get(KEY) is None


def test_a_tenant_without_events_keeps_nothing() -> None:
    totals = Totals()
    totals.settle(KEY, None, Total(0, 3), complete=True)
    assert totals.get(KEY) is None


def test_a_moved_seq_forgets_the_stale_count() -> None:
    totals = Totals()
    totals.settle(KEY, None, Total(7, 3), complete=True)
    totals.settle(KEY, totals.get(KEY), Total(9, 4), complete=False)
    assert totals.get(KEY) is None


def test_a_list_that_ran_beside_another_leaves_the_newer_count() -> None:
    totals = Totals()
    stale = Total(7, 3)
    totals.settle(KEY, None, stale, complete=True)
    totals.settle(KEY, stale, Total(9, 4), complete=False)
    totals.settle(KEY, None, Total(9, 4), complete=True)  # another list kept the new count
    totals.settle(KEY, stale, Total(9, 4), complete=False)  # a slower one, given the old
    totals.settle(KEY, None, Total(9, 4), complete=False)  # one that could not take the lock
    totals.settle(KEY, None, Total(8, 4), complete=True)  # an older complete count
    assert totals.get(KEY) == Total(9, 4)


def test_the_least_recently_used_count_goes_first() -> None:
    totals = Totals(size=2)
    keys: list[TotalKey] = [("tenant", "Song", text) for text in ("a", "b", "c")]
    totals.settle(keys[0], None, Total(1, 1), complete=True)
    totals.settle(keys[1], None, Total(1, 2), complete=True)
    totals.get(keys[0])
    totals.settle(keys[2], None, Total(1, 3), complete=True)
    assert [totals.get(key) for key in keys] == [Total(1, 1), None, Total(1, 3)]
