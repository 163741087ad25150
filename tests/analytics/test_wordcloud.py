"""The issues word cloud: frequencies, an image of the requested size, a placeholder, the cache."""

from __future__ import annotations

import io

import pandas as pd
from PIL import Image

from analytics import wordcloud
from analytics.filters import Filters
from tests.analytics.conftest import MARCH
from tests.conftest import ANALYST


def image(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(png))


def test_frequencies_weigh_categories_and_add_words_of_the_texts():
    categories = pd.DataFrame({"issue": ["Speeding", "Parking"], "count": [2, 1]})
    texts = ["Cars speeding near the school", "The school gates blocked by cars"]
    words = wordcloud.word_counts(texts)
    assert words == {"cars": 2, "speeding": 1, "near": 1, "school": 2, "gates": 1, "blocked": 1}
    assert wordcloud.issue_frequencies(categories, words) == {
        "Speeding": 6,  # 2 listings x CATEGORY_WEIGHT 3
        "Parking": 3,
        "cars": 2, "speeding": 1, "near": 1, "school": 2, "gates": 1, "blocked": 1,  # "the", "by" left out
    }


def test_a_non_empty_cloud_has_the_requested_size():
    png = wordcloud.build_word_cloud({"Speeding": 6, "Parking": 3, "school": 2}, width=320, height=180)
    assert image(png).size == (320, 180)


def test_a_long_word_in_a_small_cloud_still_draws():
    png = wordcloud.build_word_cloud({"Anti-social behaviour": 9, "Street drinking": 3}, width=60, height=40)
    assert image(png).size == (60, 40)


def test_no_words_give_a_placeholder_of_the_requested_size():
    png = wordcloud.build_word_cloud({}, width=300, height=120)
    picture = image(png).convert("RGB")
    assert picture.size == (300, 120)
    colours = {colour for _, colour in picture.getcolors(maxcolors=10_000)}
    assert len(colours) > 1, "the placeholder says something, it is not blank"


def test_the_page_cloud_is_cached_per_filters_and_store_version(fixture_store):
    wordcloud.clear_cache()
    march = Filters(start=MARCH[0], end=MARCH[1])
    first = wordcloud.issues_word_cloud(fixture_store, march, width=200, height=100, user=ANALYST)
    assert image(first).size == (200, 100)
    assert wordcloud.issues_word_cloud(fixture_store, march, width=200, height=100, user=ANALYST) is first
    empty = wordcloud.issues_word_cloud(fixture_store, Filters(start=MARCH[0], end=MARCH[0].replace(day=2)),
                                        width=200, height=100, user=ANALYST)
    assert empty is not first
    assert empty == wordcloud.build_word_cloud({}, width=200, height=100)  # 1-2 March: no issues
