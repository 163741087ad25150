"""Small-count suppression: hand-made breakdowns and what each must show."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.privacy import HIDDEN, SMALL, hidden_cells, suppress_breakdown, suppress_nested


@pytest.mark.parametrize(("counts", "hidden", "total_hidden"), [
    ([12, 7, 9], set(), False),  # nothing small
    ([0, 0, 0], set(), False),  # nobody: zeros are not people and stay 0
    ([0, 6, 9], set(), False),
    ([3, 10, 20], {0, 1}, False),  # one "<5" alone is total - 30: the next smallest (10) goes too
    ([3, 0, 0], {0}, True),  # nothing else to hide: the total (3) is hidden
    ([2, 3, 20], {0, 1}, False),  # 2 + 3 = 5: either could be 1..4 — no secondary needed
    ([3, 4], {0, 1}, False),  # x + y = 7 with both 1..4: x is 3 or 4
    ([1, 1, 20], {0, 1, 2}, False),  # x + y = 2 with both >= 1: both 1, so 20 is hidden too
    ([4, 4, 20], {0, 1, 2}, False),  # x + y = 8 with both <= 4: both 4, so 20 is hidden too
    ([1, 5, 30], {0, 1, 2}, False),  # x + y = 6 with y >= 5: x is 1, so 30 is hidden too
    ([1, 1, 1, 5, 9], {0, 1, 2, 3, 4}, False),  # 3 = 1+1+1; then 8 = 1+1+1+5; then all hidden, total 17 shown
])
def test_hidden_cells(counts, hidden, total_hidden):
    assert hidden_cells(counts) == (frozenset(hidden), total_hidden)


def test_no_small_cell_is_recoverable_from_total_and_shown_cells():
    # Brute force: for every breakdown of 3 cells with counts 0..12, every "<5" cell must have
    # at least two values consistent with what is shown (total, shown cells, "<5" in 1..4, "[c]" >= 5).
    import itertools

    for counts in itertools.product(range(13), repeat=3):
        hidden, total_hidden = hidden_cells(counts)
        if total_hidden:
            continue
        shown_sum = sum(c for i, c in enumerate(counts) if i not in hidden)
        rest = sum(counts) - shown_sum
        ranges = [range(1, 5) if 0 < counts[i] < 5 else range(5, 40) for i in sorted(hidden)]
        for position, i in enumerate(sorted(hidden)):
            if not 0 < counts[i] < 5:
                continue
            possible = {combo[position] for combo in itertools.product(*ranges) if sum(combo) == rest}
            assert len(possible) >= 2, (counts, i, possible)


def test_suppress_breakdown_labels_cells_and_adds_the_total():
    df = pd.DataFrame({"sex": ["Female", "Male", "Prefer not to say", "Not answered"], "count": [3, 10, 0, 20]})
    out = suppress_breakdown(df, label="sex")
    assert out["sex"].tolist() == ["Female", "Male", "Prefer not to say", "Not answered", "Total"]
    # 3 is "<5"; alone it would be 33 - 30, so the next smallest (10) is "[c]"; the total is their sum, 33.
    assert out["count"].tolist() == [SMALL, HIDDEN, 0, 20, 33]


def test_suppress_breakdown_hides_a_small_total():
    out = suppress_breakdown(pd.DataFrame({"band": ["18-24", "25-34"], "count": [2, 0]}), label="band")
    assert out["count"].tolist() == [SMALL, 0, SMALL]


def test_suppress_breakdown_without_total_row():
    out = suppress_breakdown(pd.DataFrame({"band": ["a", "b"], "count": [7, 8]}), label="band", total=False)
    assert out["count"].tolist() == [7, 8]


def _ethnicity(groups: dict[str, int], details: list[tuple[str, str, int]]):
    g = pd.DataFrame({"group": list(groups), "count": list(groups.values())})
    d = pd.DataFrame(details, columns=["group", "ethnicity", "count"])
    return suppress_nested(g, d, group="group", label="ethnicity")


def test_nested_hides_every_detail_of_a_hidden_group():
    group_out, detail_out = _ethnicity(
        {"Asian": 3, "White": 30, "Black": 8},
        [("Asian", "A1", 3), ("Asian", "A2", 0), ("White", "W1", 24), ("White", "W2", 6),
         ("Black", "B1", 8), ("Black", "B2", 0)])
    # Groups: Asian 3 is "<5"; alone it is 41 - 38, so the next smallest group (Black, 8) is "[c]".
    assert group_out["count"].tolist() == [SMALL, 30, HIDDEN, 41]
    # Details of hidden groups are all "[c]", zeros too, so neither group can be rebuilt from its parts.
    assert detail_out["count"].tolist() == [HIDDEN, HIDDEN, 24, 6, HIDDEN, HIDDEN, 41]


def test_nested_protects_details_inside_a_shown_group():
    group_out, detail_out = _ethnicity(
        {"Asian": 12, "White": 30},
        [("Asian", "A1", 2), ("Asian", "A2", 10), ("White", "W1", 30)])
    assert group_out["count"].tolist() == [12, 30, 42]
    # A1 = 2 would be 12 - 10: A2 is hidden too.
    assert detail_out["count"].tolist() == [SMALL, HIDDEN, 30, 42]


def test_nested_hides_a_group_whose_details_cannot_be_protected():
    # Mixed = 5 from five 1s: each detail is pinned (5 = 1+1+1+1+1) and there is nothing else to hide,
    # so Mixed is hidden in the group table and all its details are "[c]". A reader can work out
    # Mixed = 35 - 30 = 5, a count of 5 that identifies nobody; with zeros hidden too, 5 spread over
    # five "[c]" cells could be 5+0+0+0+0 or 1+1+1+1+1, so no detail can be worked out.
    group_out, detail_out = _ethnicity(
        {"Mixed": 5, "White": 30},
        [*[("Mixed", f"M{i}", 1) for i in range(1, 6)], ("White", "W1", 30)])
    assert group_out["count"].tolist() == [HIDDEN, 30, 35]
    assert detail_out["count"].tolist() == [HIDDEN] * 5 + [30, 35]


def test_nested_rejects_details_of_an_unknown_group():
    with pytest.raises(ValueError, match="Asian"):
        _ethnicity({"White": 5}, [("Asian", "A1", 1), ("White", "W1", 5)])
