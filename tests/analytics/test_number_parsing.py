"""Numbers typed into a URL or a setting: only ASCII digits count, within bounds; anything else takes the
default or is refused as a ValidationError, never a crash (`str.isdigit` is true of '²' and '٣')."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import quality, trends
from data import retention
from data.store import ValidationError
from forms import admin
from tests.officer_store import build_officer_store, user

TODAY = dt.date(2025, 3, 15)
NOT_NUMBERS = ["²", "³", "٣", "١٢", "２８", "𝟐𝟖", "28\x00", "9" * 5000, "-28", "+28", "28.0", "0x1c", "", " "]


@pytest.mark.parametrize("days", NOT_NUMBERS)
def test_change_over_time_takes_its_default_for_a_days_value_not_in_ascii_digits(days):
    view = trends.TrendView.from_query_params({"days": days}, today=TODAY)
    assert view.days == trends.DEFAULT_DAYS


@pytest.mark.parametrize("days", trends.COMPARISON_DAYS)
def test_change_over_time_takes_an_offered_days_value(days):
    assert trends.TrendView.from_query_params({"days": [f" {days} "]}, today=TODAY).days == days
    assert trends.TrendView.from_query_params({"days": str(days + 1)}, today=TODAY).days == trends.DEFAULT_DAYS


@pytest.mark.parametrize("text", [t for t in NOT_NUMBERS if t.strip()] + ["1201", "00001"])
def test_a_retention_period_is_ascii_digits_up_to_1200(text):
    with pytest.raises(ValueError, match="whole number from 0 to 1200"):
        retention.parse_period(text)


def test_a_retention_period_in_ascii_digits_is_taken():
    assert (retention.parse_period("12"), retention.parse_period(" 1200 "), retention.parse_period("0"),
            retention.parse_period("")) == (12, 1200, None, None)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build_officer_store(tmp_path_factory.mktemp("numbers") / "store")


@pytest.mark.parametrize("value", ["²", "١", "0_1", "1e-1", "nan", "inf", "1.5", "-0.1", "0x1"])
def test_a_dip_check_share_is_a_plain_decimal_from_0_to_1(store, value):
    with pytest.raises(ValidationError) as refused:
        admin.save_setting(store=store, key="dip_check_share.ccrs", value=value, user=user("AD"),
                           submission_id=f"share-{value}", base_version=0)
    assert set(refused.value.errors) == {"value"}


@pytest.mark.parametrize("value", ["²", "١٢", "9" * 5000])
def test_a_retention_setting_in_other_digits_is_refused_by_field(store, value):
    with pytest.raises(ValidationError) as refused:
        admin.save_setting(store=store, key="retention.ccr_diversity_months", value=value, user=user("AD"),
                           submission_id=f"months-{len(value)}", base_version=0)
    assert set(refused.value.errors) == {"value"}


def test_plain_settings_are_saved(store):
    admin.save_setting(store=store, key="dip_check_share.ccrs", value="0.25", user=user("AD"),
                       submission_id="share-ok", base_version=0)
    admin.save_setting(store=store, key="retention.ccr_diversity_months", value="18", user=user("AD"),
                       submission_id="months-ok", base_version=0)
    assert retention.periods(store)["ccr_diversity"] == 18
    assert quality.dip_check_shares(store)["ccrs"] == 0.25
