"""Reference data: areas, wards, users, pick-lists and settings.

Each function reads the table's current rows through DuckDB with bound
parameters. Results are kept per (store, table version, query, arguments), so a
write is seen on the very next call and unchanged data is read once. Nothing
here depends on who is asking, so nothing cached is scoped to one user.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import pandas as pd

from data import db, picklists
from data.store import Store

_CACHE_SIZE = 256
_cache: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()

AREA_COLUMNS = ("area_code", "name", "centre_lat", "centre_lon")
WARD_COLUMNS = ("ward_code", "name", "area_code", "centre_lat", "centre_lon", "geojson")
USER_COLUMNS = ("user_id", "name", "email", "role", "rank", "area_code", "active")


def _read(store: Store, table: str, columns: Sequence[str], *, where: dict[str, Any] | None = None,
          order_by: Sequence[str] = ()) -> pd.DataFrame:
    """Current rows of a reference table: `columns`, rows whose columns equal `where`'s values."""
    snapshot = store.snapshot(table)
    conditions = {name: value for name, value in (where or {}).items() if value is not None}
    key = (store.root, table, snapshot.version, tuple(columns), tuple(sorted(conditions.items())), tuple(order_by))
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached.copy()
    # Column names come from the fixed tuples above and the callers' keywords, never from user input.
    sql = f"SELECT {', '.join(_quote(c) for c in columns)} FROM {snapshot.relation()}"
    if conditions:
        sql += " WHERE " + " AND ".join(f"{_quote(c)} = ?" for c in conditions)
    if order_by:
        sql += " ORDER BY " + ", ".join(_quote(c) for c in order_by)
    frame = db.run(sql, list(conditions.values()))
    with _cache_lock:
        _cache[key] = frame
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return frame.copy()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def list_areas(store: Store) -> pd.DataFrame:
    """Local policing areas (area_code, name, centre_lat, centre_lon), by name."""
    return _read(store, "areas", AREA_COLUMNS, order_by=("name", "area_code"))


def area_names(store: Store) -> dict[str, str]:
    """area_code -> name, in name order."""
    areas = list_areas(store)
    return dict(zip(areas["area_code"], areas["name"], strict=True))


def list_wards(store: Store, *, area_code: str | None = None) -> pd.DataFrame:
    """Wards (with centre and GeoJSON boundary), of one area if given, by name."""
    return _read(store, "wards", WARD_COLUMNS, where={"area_code": area_code}, order_by=("name", "ward_code"))


def ward_names(store: Store, *, area_code: str | None = None) -> dict[str, str]:
    """ward_code -> name, in name order."""
    wards = list_wards(store, area_code=area_code)
    return dict(zip(wards["ward_code"], wards["name"], strict=True))


def ward_in_area(store: Store, *, ward_code: str, area_code: str) -> bool:
    """Whether the ward belongs to the area."""
    return not _read(store, "wards", ("ward_code",), where={"ward_code": ward_code, "area_code": area_code}).empty


def list_users(store: Store, *, role: str | None = None, area_code: str | None = None) -> pd.DataFrame:
    """Users (user_id, name, email, role, rank, area_code, active), filtered by role and area, by user_id."""
    return _read(store, "users", USER_COLUMNS, where={"role": role, "area_code": area_code}, order_by=("user_id",))


def get_user(store: Store, user_id: str) -> dict | None:
    """One user as a dict, or None."""
    users = _read(store, "users", USER_COLUMNS, where={"user_id": user_id})
    if users.empty:
        return None
    return {k: (None if pd.isna(v) else v) for k, v in users.iloc[0].to_dict().items()}


def picklist(store: Store, name: str) -> list[str]:
    """The active values of a pick-list in order; the built-in defaults while the store has none for it."""
    rows = _read(store, "picklists", ("value", "active"), where={"list_name": name}, order_by=("position", "value"))
    if rows.empty:
        if name not in picklists.DEFAULTS:
            raise KeyError(f"unknown pick-list {name!r}")
        return list(picklists.DEFAULTS[name])
    return list(dict.fromkeys(rows.loc[rows["active"].astype(bool), "value"]))


def get_setting(store: Store, key: str, default: str | None = None) -> str | None:
    """A force setting's value (the latest written if several), or `default`."""
    rows = _read(store, "settings", ("value", "written_at"), where={"key": key},
                 order_by=("written_at",))
    return default if rows.empty else str(rows["value"].iloc[-1])
