"""Event outcomes gives the word cloud's words as text: the image's alternative text and a table of them."""

from __future__ import annotations

from tests.data.test_access import DEMO_USER
from tests.pages.test_pages import open_page


def test_the_word_cloud_has_alt_text_and_its_words_as_a_table(app_store):
    at = open_page("pages/event_outcomes.py", DEMO_USER["analyst"])
    (image,) = [img for element in at.get("image") for img in element.proto.imgs]
    assert image.alt.startswith("Word cloud"), image.alt
    (expander,) = [e for e in at.expander if e.label == "The words in the cloud, as a table"]
    table = expander.dataframe[0].value
    assert list(table.columns) == ["word", "weight"]
    assert len(table) and table["weight"].is_monotonic_decreasing
    assert table["word"].iloc[0] in image.alt, "the alt text names the biggest words"
