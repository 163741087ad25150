"""Dip-check sampling, the queue and the quality figures, on small stores whose answers are worked out by hand."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from analytics.quality import (
    DEFAULT_SHARE,
    build_faults_chart,
    count_faults,
    dip_check_shares,
    in_sample,
    list_queue,
    quality_by_area_month,
    sample_fraction,
)
from data.access import NotAllowed
from data.arrow_schema import arrow_schema
from data.store import Store
from tests.quality_store import build_quality_store, patrol, save, user

FEB, MAR = dt.date(2025, 2, 1), dt.date(2025, 3, 1)
END = dt.date(2025, 3, 31)


@pytest.fixture(scope="module")
def quality_store(tmp_path_factory) -> Store:
    """The tests here write nothing to it but the audit entries of the queues they list."""
    return build_quality_store(tmp_path_factory.mktemp("quality") / "store")


# -- sampling ---------------------------------------------------------------------------------------


def bulk_patrols(store: Store, ids: list[str], *, area: str = "A1", officer: str = "P1") -> None:
    day = dt.date.today() - dt.timedelta(days=3)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [{**patrol(officer, area, "W1", day), "record_id": rid, "version": 1, "deleted": False,
             "written_at": now, "written_by": officer, "submission_id": rid, "superseded": False} for rid in ids]
    store.append_rows("patrols", pa.Table.from_pylist(rows, schema=arrow_schema("patrols")))


def set_share(store: Store, table: str, value: str) -> None:
    save(store, "settings", {"key": f"dip_check_share.{table}", "value": value},
         f"share-{table}-{value}-{random.random()}", "AD")


def test_a_quarter_share_samples_about_a_quarter_and_the_same_ones_every_time(tmp_path):
    store = build_quality_store(tmp_path / "store", share=None)
    rng = random.Random(7)
    ids = [f"{rng.getrandbits(128):032x}" for _ in range(400)]
    bulk_patrols(store, ids)
    set_share(store, "patrols", "0.25")
    supervisor = user("S1")

    queued = list_queue(store, user=supervisor)
    sampled = set(queued["record_id"]) & set(ids)
    expected = {rid for rid in ids if sample_fraction("patrols", rid) < 0.25}
    assert sampled == expected, "the query samples exactly the records the Python rule picks"
    assert 70 <= len(sampled) <= 130  # 400 x 0.25 = 100, sd about 8.7
    assert set(list_queue(store, user=supervisor)["record_id"]) >= sampled, "a rerun picks the same records"

    inside = sorted(sampled)[0]
    outside = sorted(set(ids) - sampled)[0]
    for rid in (inside, outside):  # an edit does not move a record in or out
        save(store, "patrols", {**patrol("P1", "A1", "W1", dt.date.today()), "outcomes": "edited"}, f"edit-{rid}",
             "P1", record_id=rid)
    again = set(list_queue(store, user=supervisor)["record_id"])
    assert inside in again and outside not in again

    set_share(store, "patrols", "0.5")
    wider = set(list_queue(store, user=supervisor)["record_id"]) & set(ids)
    assert wider > sampled, "raising the share only adds records"
    assert 160 <= len(wider) <= 240


def test_sample_fraction_is_fixed_and_spread():
    assert sample_fraction("ccrs", "abc") == sample_fraction("ccrs", "abc")
    assert sample_fraction("ccrs", "abc") != sample_fraction("patrols", "abc")
    assert in_sample("ccrs", "abc", 1.0) and not in_sample("ccrs", "abc", 0.0)
    fractions = [sample_fraction("events", f"{n:x}") for n in range(2000)]
    assert all(0 <= f < 1 for f in fractions)
    assert 0.45 < sum(f < 0.5 for f in fractions) / 2000 < 0.55


def test_shares_come_from_settings_with_a_default(tmp_path):
    store = build_quality_store(tmp_path / "store", share=None)
    assert dip_check_shares(store) == dict.fromkeys(("events", "ccrs", "patrols", "abstractions"), DEFAULT_SHARE)
    set_share(store, "ccrs", "0.2")
    set_share(store, "events", "1.5")
    set_share(store, "patrols", "lots")
    assert dip_check_shares(store) == {"events": 1.0, "ccrs": 0.2, "patrols": DEFAULT_SHARE,
                                       "abstractions": DEFAULT_SHARE}


# -- the queue --------------------------------------------------------------------------------------


def test_queue_holds_unchecked_sampled_records_and_returns(quality_store):
    queue = list_queue(quality_store, user=user("S1"), since=FEB)
    states = dict(zip(queue["record_id"], queue["state"], strict=True))
    assert states == {"pf2": "to_check", "pm2": "to_check", "cm1": "to_check", "pm1": "awaiting_fix"}
    assert list(queue["record_id"])[:3] == ["cm1", "pm2", "pf2"], "newest first, awaiting fix last"
    (returned,) = queue[queue["state"] == "awaiting_fix"].itertuples()
    assert (returned.last_comment, list(returned.last_faults), returned.last_reviewer) == (
        "Which issues?", ["Issues missing"], "Sgt Sue")

    march = list_queue(quality_store, user=user("S1"), since=MAR)
    assert set(march["record_id"]) == {"pm2", "cm1", "pm1"}, "older unchecked records drop out; returns stay"
    assert set(list_queue(quality_store, user=user("S2"), since=FEB)["record_id"]) == {"q2"}


@pytest.mark.parametrize("who", ["P1", "CM", "AN"])
def test_only_supervisors_have_a_queue(quality_store, who):
    with pytest.raises(NotAllowed):
        list_queue(quality_store, user=user(who))


# -- quality figures --------------------------------------------------------------------------------


def test_quality_figures_per_team_and_month(quality_store):
    figures = quality_by_area_month(quality_store, user=user("CM"), start=FEB, end=END)
    rows = {(r.area_code, r.month.strftime("%Y-%m")): r for r in figures.itertuples()}
    assert set(rows) == {("A1", "2025-02"), ("A1", "2025-03"), ("A2", "2025-03")}

    feb = rows[("A1", "2025-02")]
    assert (feb.area, feb.submissions, feb.checked, feb.passed, feb.advised, feb.returned) == ("North", 4, 3, 1, 1, 1)
    assert feb.checked_share == pytest.approx(3 / 4) and feb.pass_rate == pytest.approx(1 / 3)
    assert feb.common_faults == "Vague outcome (2), No consent recorded (1)"

    mar = rows[("A1", "2025-03")]
    assert (mar.submissions, mar.checked, mar.passed, mar.advised, mar.returned) == (5, 3, 2, 0, 1)
    assert mar.checked_share == pytest.approx(3 / 5) and mar.pass_rate == pytest.approx(2 / 3)
    assert mar.common_faults == "Issues missing (1)"

    south = rows[("A2", "2025-03")]
    assert (south.submissions, south.checked, south.passed, south.advised) == (2, 1, 0, 1)
    assert south.checked_share == pytest.approx(0.5) and south.pass_rate == 0
    assert south.common_faults == "Wrong ward (1)"


def test_quality_filters_by_date_and_area(quality_store):
    figures = quality_by_area_month(quality_store, user=user("AN"), start=MAR, end=END, areas=["A1"])
    assert list(zip(figures["area_code"], figures["submissions"], strict=True)) == [("A1", 5)]
    faults = count_faults(quality_store, user=user("AN"), start=FEB, end=END)
    assert list(zip(faults["fault"], faults["records"], strict=True)) == [
        ("Vague outcome", 2), ("Issues missing", 1), ("No consent recorded", 1), ("Wrong ward", 1)]
    assert build_faults_chart(faults).to_dict()["mark"]["type"] == "bar"


def test_a_supervisor_sees_only_their_own_team(quality_store):
    figures = quality_by_area_month(quality_store, user=user("S2"), start=FEB, end=END)
    assert set(figures["area_code"]) == {"A2"}
    with pytest.raises(NotAllowed, match="outside your area"):
        quality_by_area_month(quality_store, user=user("S2"), start=FEB, end=END, areas=["A1"])
    with pytest.raises(NotAllowed, match="outside your area"):
        count_faults(quality_store, user=user("S1"), start=FEB, end=END, areas=["A2"])
    with pytest.raises(NotAllowed):
        quality_by_area_month(quality_store, user=user("P1"), start=FEB, end=END)
