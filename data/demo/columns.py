"""The demo's column mini-language: values drawn with numpy for a whole table, gathered into Arrow per chunk.

A column (`Num`, `Pick`, `Ids`, `Lists`, `Struct`, `ArrowColumn`) holds a table's values for all
its records; `take(rows, blank)` gives the values of records `rows` (null, or an empty list,
where `blank` is true), and `assemble` turns the columns of a table into one Arrow table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from data.arrow_schema import arrow_schema

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
MINUTE = np.timedelta64(60_000_000, "us")


def new_ids(rng: np.random.Generator, n: int, *, ordered: bool = True) -> np.ndarray:
    """n uuid4 values as an (n, 2) array of big-endian halves, sorted unless `ordered` is False."""
    halves = np.frombuffer(rng.bytes(16 * n), dtype=">u8").reshape(n, 2).astype(np.uint64)
    halves[:, 0] = (halves[:, 0] & np.uint64(0xFFFF_FFFF_FFFF_0FFF)) | np.uint64(0x4000)
    halves[:, 1] = (halves[:, 1] & np.uint64(0x3FFF_FFFF_FFFF_FFFF)) | np.uint64(0x8000_0000_0000_0000)
    if ordered:
        halves = halves[np.argsort(halves[:, 0])]
        if n > 1 and (halves[1:, 0] == halves[:-1, 0]).any():  # equal first halves: order by both
            halves = halves[np.lexsort((halves[:, 1], halves[:, 0]))]
    return halves


def hex_ids(ids: np.ndarray, nulls: np.ndarray | None = None) -> pa.Array:
    """uuid halves -> 32-character lowercase hex strings, built straight into an Arrow buffer."""
    return _hex_strings(ids.astype(">u8").view(np.uint8).reshape(len(ids), 16), nulls)


def random_hex(rng: np.random.Generator, n: int, chars: int, nulls: np.ndarray | None = None) -> pa.Array:
    """n random lowercase hex strings of `chars` characters (an even number)."""
    return _hex_strings(np.frombuffer(rng.bytes(n * chars // 2), dtype=np.uint8).reshape(n, chars // 2), nulls)


def _hex_strings(raw: np.ndarray, nulls: np.ndarray | None) -> pa.Array:
    """Each row of bytes as one lowercase hex string (null where `nulls` is true)."""
    n, chars = raw.shape[0], 2 * raw.shape[1]
    text = np.empty((n, chars), dtype=np.uint8)
    text[:, 0::2] = _HEX[raw >> 4]
    text[:, 1::2] = _HEX[raw & 15]
    offsets = pa.py_buffer(np.arange(0, chars * (n + 1), chars, dtype=np.int32))
    data = pa.py_buffer(np.ascontiguousarray(text))
    if nulls is None or not nulls.any():
        return pa.StringArray.from_buffers(n, offsets, data)
    return pa.StringArray.from_buffers(n, offsets, data, pa.py_buffer(np.packbits(~nulls, bitorder="little")),
                                       int(nulls.sum()))


def hex_list(ids: np.ndarray) -> list[str]:
    return hex_ids(ids).to_pylist()


def shares(spec: dict[str, float] | Sequence[float], names: Sequence[str] | None = None) -> np.ndarray:
    values = np.array([spec.get(n, 0.0) for n in names] if names is not None else list(spec), dtype=float)
    return values / values.sum()


class Chooser:
    """Weighted choice of an item within a group (a ward within an area), for many rows at once."""

    def __init__(self, weights: Sequence[np.ndarray]):
        sizes = np.array([len(w) for w in weights])
        if (sizes == 0).any():
            raise ValueError("every group needs at least one item")
        self.start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        self.end = self.start + sizes
        self.size = sizes
        cums = []
        for group, w in enumerate(weights):
            cum = np.cumsum(np.asarray(w, dtype=float))
            cum = cum / cum[-1]
            cum[-1] = 1.0
            cums.append(group + cum)
        self.flat = np.concatenate(cums)

    def pick(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        """Positions (into the concatenated items) of one weighted pick per row of `group`."""
        pos = np.searchsorted(self.flat, group + rng.random(len(group)), side="right")
        return np.clip(pos, self.start[group], self.end[group] - 1)

    def pick_distinct(self, rng: np.random.Generator, group: np.ndarray, lengths: np.ndarray,
                      most: int = 3) -> tuple[np.ndarray, np.ndarray]:
        """Up to `most` different picks per row, as positions within the row's group.

        Returns the picks of all rows flattened, and how many each row got.
        """
        n = len(group)
        picks = np.stack([self.pick(rng, group) for _ in range(most)], axis=1)
        for _ in range(4):  # redraw clashes a few times; any left over shorten the list
            for k in range(1, most):
                clash = (picks[:, :k] == picks[:, k : k + 1]).any(axis=1)
                if clash.any():
                    picks[clash, k] = self.pick(rng, group[clash])
        keep = np.arange(most)[None, :] < lengths[:, None]
        for k in range(1, most):
            keep[:, k] &= ~(picks[:, :k] == picks[:, k : k + 1]).any(axis=1)
        within = picks - self.start[group][:, None]
        return within[keep], keep.sum(axis=1) if n else np.zeros(0, dtype=int)


def choice(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    return rng.choice(len(p), size=n, p=p)


def sometimes(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _either(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return b if a is None else a
    return a | b


@dataclasses.dataclass(frozen=True)
class Num:
    values: np.ndarray
    kind: pa.DataType
    nulls: np.ndarray | None = None

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        mask = _either(None if self.nulls is None else self.nulls[rows], blank)
        return pa.array(self.values[rows], type=self.kind, mask=mask)


@dataclasses.dataclass(frozen=True)
class Pick:
    """Strings chosen by index from a small dictionary; a negative index is null."""

    dictionary: pa.Array
    index: np.ndarray

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        idx = self.index[rows]
        if blank is not None:
            idx = np.where(blank, -1, idx)
        return self.dictionary.take(pa.array(idx, type=pa.int32(), mask=idx < 0))


def pick(values: Sequence[str], index: np.ndarray, nulls: np.ndarray | None = None) -> Pick:
    index = np.asarray(index, dtype=np.int32)
    if nulls is not None:
        index = np.where(nulls, -1, index).astype(np.int32)
    return Pick(pa.array(list(values), type=pa.string()), index)


@dataclasses.dataclass(frozen=True)
class Ids:
    ids: np.ndarray
    nulls: np.ndarray | None = None

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return hex_ids(self.ids[rows], _either(None if self.nulls is None else self.nulls[rows], blank))


@dataclasses.dataclass(frozen=True)
class Lists:
    """Lists per record: `lengths` items each, taken in turn from a flattened column."""

    items: Num | Pick | Ids | Struct
    lengths: np.ndarray
    offsets: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "offsets", np.concatenate([[0], np.cumsum(self.lengths, dtype=np.int64)]))

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        lengths = self.lengths[rows] if blank is None else np.where(blank, 0, self.lengths[rows])
        offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        items = np.repeat(self.offsets[rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), self.items.take(items))


@dataclasses.dataclass(frozen=True)
class Struct:
    fields: dict[str, Num | Pick]

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return pa.StructArray.from_arrays([c.take(rows) for c in self.fields.values()], names=list(self.fields))


@dataclasses.dataclass(frozen=True)
class ArrowColumn:
    """A column already built as one Arrow array."""

    values: pa.Array

    def take(self, rows: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
        return self.values.take(pa.array(rows, type=pa.int64()))


Column = Num | Pick | Ids | Lists | Struct | ArrowColumn


def assemble(table: str, columns: dict[str, Column], rows: np.ndarray, *, blank: np.ndarray | None = None,
             blank_columns: Sequence[str] = (), given: dict[str, pa.Array] | None = None) -> pa.Table:
    """The records `rows` of a table as Arrow; columns neither held nor given are null (or empty lists)."""
    schema = arrow_schema(table)
    given = given or {}
    arrays = []
    for field in schema:
        if field.name in given:
            arrays.append(given[field.name])
        elif field.name in columns:
            arrays.append(columns[field.name].take(rows, blank if field.name in blank_columns else None))
        elif pa.types.is_list(field.type):
            arrays.append(pa.ListArray.from_arrays(pa.array(np.zeros(len(rows) + 1, dtype=np.int32)),
                                                   pa.array([], type=field.type.value_type)))
        else:
            arrays.append(pa.nulls(len(rows), field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def as_us(moments: np.ndarray) -> np.ndarray:
    return moments.astype("datetime64[us]")
