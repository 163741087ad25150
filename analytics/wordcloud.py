"""Word cloud of the issues communities raised: issue categories plus the officers' own words.

`issue_frequencies` weighs each issue category by how often it was listed
and adds the words of the free-text issues (common English words left out);
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

import pandas as pd
from PIL import Image, ImageDraw
from wordcloud import STOPWORDS, WordCloud

from analytics.events_dash import event_outcomes
from analytics.filters import Filters
from data.store import Store

WIDTH, HEIGHT = 800, 400
CATEGORY_WEIGHT = 3  # a listed category counts as much as three mentions in free text
PLACEHOLDER = "No issues raised for these filters"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = {w.lower() for w in STOPWORDS} | {"street", "road", "people", "also", "lot", "lots", "area"}


def issue_frequencies(categories: pd.DataFrame | Mapping[str, int], texts: Iterable[str]) -> dict[str, int]:
    """Word -> weight: each category (`issue`, `count`) times CATEGORY_WEIGHT, plus words of the texts."""
    counts: collections.Counter[str] = collections.Counter()
    if isinstance(categories, pd.DataFrame):
        pairs = zip(categories["issue"], categories["count"], strict=True) if len(categories) else []
    else:
        pairs = categories.items()
    for issue, count in pairs:
        if isinstance(issue, str) and issue.strip() and count:
            counts[issue.strip()] += int(count) * CATEGORY_WEIGHT
    for text in texts:
        for word in _WORD.findall(text or ""):
            word = word.lower().strip("'-")
            if len(word) > 2 and word not in _STOP:
                counts[word] += 1
    return dict(counts)


def build_word_cloud(frequencies: Mapping[str, int], *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A PNG (bytes) of `width` x `height`: the word cloud, or a placeholder when there are no words."""
    words = {w: f for w, f in frequencies.items() if f > 0}
    if not words:
        return _placeholder(width, height)
    cloud = WordCloud(width=width, height=height, background_color="white", colormap="Blues_r",
                      random_state=1, prefer_horizontal=0.95, max_words=120, min_font_size=8,
                      collocations=False).generate_from_frequencies(words)
    return _png(cloud.to_image())


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


def issues_word_cloud(store: Store, filters: Filters | None = None, *, width: int = WIDTH,
                      height: int = HEIGHT) -> bytes:
    """The Event outcomes page's word cloud as PNG, cached per filter set, size and store version."""
    filters = filters or Filters()
    key = (store.root, filters, store.versions(_SOURCES), width, height)
    with _lock:
        if key in _clouds:
            _clouds.move_to_end(key)
            return _clouds[key]
    outcomes = event_outcomes(store, filters)
    png = build_word_cloud(issue_frequencies(outcomes.issue_counts, outcomes.issue_texts), width=width,
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
