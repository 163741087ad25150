"""Word cloud of the issues communities raised: issue categories plus the officers' own words.

`issue_frequencies` weighs each issue category by how often it was listed
and adds the words of the free-text issues (counted in DuckDB by
`analytics.events_dash.event_outcomes`, common English words left out);
`build_word_cloud` draws them as a PNG image of the requested size, or a
plain placeholder image saying there is nothing to show. `issues_word_cloud`
is the cached page entry point: one image per filter set and store version.
Never calls Streamlit.
"""

from __future__ import annotations

import collections
import io
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from PIL import Image, ImageDraw
from wordcloud import WordCloud

from analytics.events_dash import TEXT_STOPWORDS, WORD_EDGES, WORD_PATTERN, event_outcomes
from analytics.filters import Filters, within_scope
from data.store import Store

WIDTH, HEIGHT = 800, 400
CATEGORY_WEIGHT = 3  # a listed category counts as much as three mentions in free text
PLACEHOLDER = "No issues raised for these filters"
_WORD = re.compile(WORD_PATTERN)


def issue_frequencies(categories: pd.DataFrame | Mapping[str, int],
                      words: pd.DataFrame | Mapping[str, int]) -> dict[str, int]:
    """Word -> weight: each category (`issue`, `count`) times CATEGORY_WEIGHT, plus each free-text word's count."""
    counts: collections.Counter[str] = collections.Counter()
    for issue, count in _pairs(categories, "issue"):
        if isinstance(issue, str) and issue.strip() and count:
            counts[issue.strip()] += int(count) * CATEGORY_WEIGHT
    for word, count in _pairs(words, "word"):
        if isinstance(word, str) and word and count:
            counts[word] += int(count)
    return dict(counts)


def word_counts(texts: Iterable[str]) -> dict[str, int]:
    """The words of some texts as `issue_words` counts them (for tests and the benchmark)."""
    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        for word in _WORD.findall(text or ""):
            word = word.lower().strip(WORD_EDGES)
            if len(word) > 2 and word not in TEXT_STOPWORDS:
                counts[word] += 1
    return dict(counts)


def _pairs(values: pd.DataFrame | Mapping[str, int], column: str) -> Iterable[tuple[Any, Any]]:
    if isinstance(values, pd.DataFrame):
        return zip(values[column], values["count"], strict=True) if len(values) else []
    return values.items()


def build_word_cloud(frequencies: Mapping[str, int], *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A PNG (bytes) of `width` x `height`: the word cloud, or a placeholder when there are no words."""
    words = {w: f for w, f in frequencies.items() if f > 0}
    if not words:
        return _placeholder(width, height)
    for smallest in (8, 4):  # a small canvas may fit the longest word only in a smaller font
        try:
            cloud = WordCloud(width=width, height=height, background_color="white", colormap="Blues_r",
                              random_state=1, prefer_horizontal=0.95, max_words=120, min_font_size=smallest,
                              collocations=False).generate_from_frequencies(words)
        except ValueError:  # "Couldn't find space to draw": not even the first word fits
            continue
        return _png(cloud.to_image())
    return _placeholder(width, height)


def word_table(frequencies: Mapping[str, int]) -> pd.DataFrame:
    """The cloud's words as text (for screen readers and a table beside the image): `word` and `weight`, the
    biggest first, as `build_word_cloud` sizes them."""
    rows = sorted(((w, int(f)) for w, f in frequencies.items() if f > 0), key=lambda row: (-row[1], row[0]))
    return pd.DataFrame(rows, columns=["word", "weight"])


def word_cloud_alt(frequencies: Mapping[str, int], *, top: int = 10) -> str:
    """The word cloud's alternative text: what it shows and its biggest words, or that there is nothing."""
    table = word_table(frequencies)
    if table.empty:
        return f"Word cloud: {PLACEHOLDER.lower()}."
    biggest = ", ".join(table["word"].head(top))
    more = f" and {len(table) - top} more" if len(table) > top else ""
    return f"Word cloud of the issues raised, biggest first: {biggest}{more}."


def _placeholder(width: int, height: int) -> bytes:
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    box = draw.textbbox((0, 0), PLACEHOLDER)
    draw.text(((width - (box[2] - box[0])) / 2, (height - (box[3] - box[1])) / 2), PLACEHOLDER, fill="#666666")
    draw.rectangle((0, 0, width - 1, height - 1), outline="#cccccc")
    return _png(image)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def issues_word_cloud(store: Store, filters: Filters | None = None, *, user: Mapping[str, Any], width: int = WIDTH,
                      height: int = HEIGHT) -> bytes:
    """The Event outcomes page's word cloud as PNG, cached per filter set (in the user's scope), size and
    store version."""
    outcomes = event_outcomes(store, filters, user=user)  # checks the user and scope first
    filters = within_scope(filters or Filters(), user)
    key = (store.root, filters, store.versions(_SOURCES), width, height)
    with _lock:
        if key in _clouds:
            _clouds.move_to_end(key)
            return _clouds[key]
    png = build_word_cloud(issue_frequencies(outcomes.issue_counts, outcomes.issue_words), width=width,
                           height=height)
    with _lock:
        _clouds[key] = png
        while len(_clouds) > CACHE_SIZE:
            _clouds.popitem(last=False)
    return png


def clear_cache() -> None:
    with _lock:
        _clouds.clear()


_SOURCES = ("events", "ccrs")  # the tables the issues come from
CACHE_SIZE = 32
_clouds: collections.OrderedDict[tuple, bytes] = collections.OrderedDict()
_lock = threading.Lock()
