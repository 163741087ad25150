"""Where a store's files live: a local folder, or object storage (Azure Blob / ADLS Gen2, S3).

deltalake reads and writes the Delta log and data files wherever they are. DuckDB reads
Parquet from local paths only (its object-store extensions are built for another DuckDB
release), so a remote store's data files are read through a local cache: a Delta data
file is never changed once written (every write makes new file names), so a cached copy
keyed by its path never goes stale. The cache keeps only files that some current
snapshot uses (a file compaction or retention replaced is dropped from it once no read
can still need it) and is bounded in size, least recently used first.

The maintenance lease (`Lease`) makes sure one compaction, vacuum or retention run works
on a store at a time, across processes and servers, and that a killed holder never
wedges the next: on a local folder it is an advisory file lock the operating system
releases when its process dies; on object storage it is a small lease object written
only if absent, renewed while its holder works, and taken over once it has expired.
A holder stalled past its lease (and so perhaps overtaken) finds out before it commits
or deletes anything (`Lease.confirm`); and the work itself never relies on the lease
alone: compaction commits only on the exact table version it checked (see `data.store`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

log = logging.getLogger(__name__)

# Keys deltalake understands that the object-store client does not (locking and rename policy).
_DELTA_ONLY_OPTIONS = {"aws_s3_locking_provider", "delta_dynamo_table_name", "aws_s3_allow_unsafe_rename",
                       "dynamodb_endpoint", "dynamodb_region", "dynamodb_access_key_id",
                       "dynamodb_secret_access_key"}
DEFAULT_CACHE_GB = 20.0
# A cached file unused for this long may be removed once a newer snapshot no longer needs it
# (long enough for any statement that started on the older snapshot to finish).
GRACE_SECONDS = 300


def is_remote(root: str) -> bool:
    """True for object-store URIs (az://, abfss://, s3://, ...); False for a local folder."""
    return "://" in root and not root.startswith("file://")


def local_path(root: str) -> Path:
    return Path(root.removeprefix("file://"))


class Remote:
    """The files under a store's root URI on object storage (through `obstore`)."""

    def __init__(self, root: str, storage_options: dict[str, str] | None):
        from obstore.store import from_url

        options = {k: v for k, v in (storage_options or {}).items() if k.lower() not in _DELTA_ONLY_OPTIONS}
        self.root = root.rstrip("/")
        self._store = from_url(self.root, **options)

    def get(self, key: str) -> bytes:
        import obstore

        return bytes(obstore.get(self._store, key).bytes())

    def get_with_tag(self, key: str) -> tuple[bytes, str] | None:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            result = obstore.get(self._store, key)
        except (NotFoundError, FileNotFoundError):
            return None
        return bytes(result.bytes()), result.meta["e_tag"]

    def create(self, key: str, data: bytes) -> str | None:
        """Write `key` only if it does not exist; its tag, or None if it already did."""
        import obstore
        from obstore.exceptions import AlreadyExistsError

        try:
            return obstore.put(self._store, key, data, mode="create")["e_tag"]
        except AlreadyExistsError:
            return None

    def put(self, key: str, data: bytes) -> None:
        """Write `key`, replacing it if it exists (a single PUT: readers see the old object or the new)."""
        import obstore

        obstore.put(self._store, key, data)

    def replace(self, key: str, data: bytes, tag: str) -> str | None:
        """Overwrite `key` only if it still has `tag`; its new tag, or None if someone changed it first."""
        import obstore
        from obstore.exceptions import NotFoundError, PreconditionError

        try:
            return obstore.put(self._store, key, data, mode={"e_tag": tag})["e_tag"]
        except (PreconditionError, NotFoundError, FileNotFoundError):
            return None

    def list(self, prefix: str) -> list[str]:
        import obstore

        return [item["path"] for batch in obstore.list(self._store, prefix) for item in batch]

    def list_with_times(self, prefix: str) -> list[tuple[str, float]]:
        """(key, last modified as a Unix time) of every object under `prefix`."""
        import obstore

        return [(item["path"], item["last_modified"].timestamp())
                for batch in obstore.list(self._store, prefix) for item in batch]

    def delete(self, key: str) -> None:
        import obstore

        with contextlib.suppress(FileNotFoundError):
            obstore.delete(self._store, key)

    def download(self, key: str, target: Path) -> None:
        data = self.get(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, target)  # atomic: a reader never sees half a file
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise


class FileCache:
    """Local copies of a remote store's data files, for DuckDB to read at local speed.

    Files are keyed by their path under the store root (e.g. `events/part-....parquet`).
    The folder is private to the user running Beatbook (it holds personal data), and several
    app processes on one machine may share it: copies appear by atomic rename.
    """

    def __init__(self, remote: Remote, directory: str | Path | None = None, *, max_gb: float | None = None):
        self.remote = remote
        if directory is None:
            base = os.environ.get("BEATBOOK_CACHE_DIR") or Path(tempfile.gettempdir()) / f"beatbook-cache-{os.getuid()}"
            directory = Path(base) / hashlib.sha256(remote.root.encode()).hexdigest()[:16]
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.directory, 0o700)
        gb = max_gb if max_gb is not None else float(os.environ.get("BEATBOOK_CACHE_GB") or DEFAULT_CACHE_GB)
        self.max_bytes = int(gb * 1024**3)
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="beatbook-cache")
        self._lock = threading.Lock()
        self._wanted: dict[str, set[str]] = {}  # table -> keys its latest snapshot uses
        self._swept: dict[str, float] = {}  # table -> when its folder was last swept (monotonic)

    def path(self, key: str) -> Path:
        return self.directory / key

    def fetch(self, keys: Iterable[str]) -> list[str]:
        """Local paths of these files, downloading (in parallel) the ones not cached yet."""
        keys = list(keys)
        missing = [k for k in keys if not self.path(k).exists()]
        for error in [f.exception() for f in [self._pool.submit(self.remote.download, k, self.path(k))
                                              for k in missing]]:
            if error is not None:
                raise error
        now = time.time()
        for key in keys:
            with contextlib.suppress(FileNotFoundError):
                os.utime(self.path(key), (now, now))
        if missing:
            self.trim()
        return [str(self.path(k)) for k in keys]

    def keep_only(self, table: str, keys: Iterable[str]) -> None:
        """Note the files `table`'s latest snapshot uses; drop cached ones no snapshot has needed for a while."""
        keys = set(keys)
        with self._lock:
            before = self._wanted.get(table)
            self._wanted[table] = keys
            last = self._swept.get(table, 0.0)
            due = (before is not None and before - keys) or time.monotonic() - last > GRACE_SECONDS
            if due:
                self._swept[table] = time.monotonic()
        folder = self.directory / table
        if not due or not folder.exists():
            return
        cutoff = time.time() - GRACE_SECONDS
        for file in _files_under(folder):
            if f"{table}/{file.relative_to(folder)}" in keys:
                continue
            with contextlib.suppress(FileNotFoundError):
                if file.stat().st_mtime < cutoff:
                    file.unlink()

    def keys(self, table: str) -> list[str]:
        """The keys of `table`'s files in the cache now."""
        folder = self.directory / table
        return [f"{table}/{file.relative_to(folder)}" for file in _files_under(folder)]

    def forget(self, keys: Iterable[str]) -> int:
        """Remove these files from the cache now (files retention replaced); how many were there."""
        removed = 0
        for key in keys:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path(key))
                removed += 1
        return removed

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.directory.rglob("*") if f.is_file())

    def trim(self) -> None:
        """Over the size bound, remove least recently used files no current snapshot needs."""
        files = [(f.stat().st_mtime, f.stat().st_size, f) for f in self.directory.rglob("*.parquet")]
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        with self._lock:
            wanted = set().union(*self._wanted.values()) if self._wanted else set()
        for _, size, file in sorted(files):
            if total <= self.max_bytes:
                break
            if str(file.relative_to(self.directory)) in wanted:
                continue
            with contextlib.suppress(FileNotFoundError):
                file.unlink()
                total -= size
        if total > self.max_bytes:
            log.warning("the file cache %s holds %.1f GB, over its %.1f GB bound: the current snapshots need it all",
                        self.directory, total / 1024**3, self.max_bytes / 1024**3)


def _files_under(folder: Path) -> list[Path]:
    """Every cached file under `folder` (compaction writes some in subfolders), not downloads under way."""
    if not folder.exists():
        return []
    return [f for f in folder.rglob("*") if f.is_file() and not f.name.startswith(".part-")]


class FileLock:
    """An exclusive advisory lock on a local file: the one kind of lock file a store uses.

    The operating system releases it when its process ends, however that ends, so a killed
    holder never wedges the next. Each `FileLock` is its own open file: two of them on one
    path exclude each other, even in one process. The file stays open between holds
    (`close` closes it), so taking it again costs no system call to open it.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, *, wait: bool = True) -> bool:
        """Take the lock (waiting for it, or not: then False if another holds it)."""
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Release the lock and close its file."""
        if self._fd is not None:
            self.release()
            os.close(self._fd)
            self._fd = None

    def write(self, text: str) -> None:
        """Replace the lock file's text (who holds it), while holding it."""
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, text.encode(), 0)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for a `with` block, waiting for it."""
        self.acquire()
        try:
            yield
        finally:
            self.release()


@contextlib.contextmanager
def file_lock(path: str | Path, *, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on a local file for a `with` block; TimeoutError after waiting `timeout` seconds."""
    lock = FileLock(path)
    deadline = time.monotonic() + timeout
    try:
        while not lock.acquire(wait=False):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for the lock {path}")
            time.sleep(0.2)
        yield
    finally:
        lock.close()


class LeaseBusy(RuntimeError):
    """Another live process holds the store's maintenance lease."""


class LeaseLost(LeaseBusy):
    """This process's maintenance lease expired and another took it over: it must stop before changing anything."""


class Lease:
    """The store's maintenance lease: one compaction, vacuum or retention run at a time.

    Use as a context manager; `held` says whether it was taken (with `wait=False` a busy store
    is skipped; with `wait=True` it waits up to `timeout` seconds, then raises `LeaseBusy`).
    """

    NAME = "_maintenance.lease"
    SECONDS = float(os.environ.get("BEATBOOK_LEASE_SECONDS") or 30)

    def __init__(self, root: str, remote: Remote | None, *, wait: bool, timeout: float = 600.0):
        self.root = root
        self.remote = remote
        self.wait = wait
        self.timeout = timeout
        self.held = False
        self._file: FileLock | None = None
        self._tag: str | None = None
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._guard = threading.Lock()  # one renewal or confirmation at a time (each moves the tag on)
        self._lost = False

    def __enter__(self) -> bool:
        deadline = time.monotonic() + self.timeout
        while not self._try():
            if not self.wait:
                return False
            if time.monotonic() > deadline:
                raise LeaseBusy(f"another maintenance run holds the store's lease ({self.holder()});"
                                f" waited {self.timeout:.0f} s")
            time.sleep(0.2)
        self.held = True
        return True

    def __exit__(self, *exc) -> None:
        if not self.held:
            return
        self.held = False
        if self._file is not None:
            self._file.close()
            self._file = None
            return
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
        current = self.remote.get_with_tag(self.NAME)
        if current is not None and current[1] == self._tag:
            self.remote.delete(self.NAME)

    def holder(self) -> str:
        if self.remote is None:
            try:
                return local_path(self.root).joinpath(self.NAME).read_text().strip() or "unknown"
            except FileNotFoundError:
                return "unknown"
        current = self.remote.get_with_tag(self.NAME)
        return json.loads(current[0]).get("owner", "unknown") if current else "nobody"

    def _try(self) -> bool:
        if self.remote is None:
            return self._try_local()
        return self._try_remote()

    def _try_local(self) -> bool:
        folder = local_path(self.root)
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(folder / self.NAME)
        if not lock.acquire(wait=False):
            lock.close()
            return False
        lock.write(self._owner)
        self._file = lock
        return True

    def _body(self) -> bytes:
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.SECONDS)
        return json.dumps({"owner": self._owner, "expires": expires.isoformat()}).encode()

    def _try_remote(self) -> bool:
        tag = self.remote.create(self.NAME, self._body())
        if tag is None:
            current = self.remote.get_with_tag(self.NAME)
            if current is None:
                return False  # released meanwhile: try again
            body, old = current
            try:
                expires = dt.datetime.fromisoformat(json.loads(body)["expires"])
            except (ValueError, KeyError, TypeError):
                expires = dt.datetime.min.replace(tzinfo=dt.UTC)  # unreadable: treat as expired
            if expires > dt.datetime.now(dt.UTC):
                return False
            tag = self.remote.replace(self.NAME, self._body(), old)  # only one taker wins an expired lease
            if tag is None:
                return False
            log.warning("took over the maintenance lease of %s, which expired at %s", body, expires)
        self._tag = tag
        self._lost = False
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name="beatbook-lease", daemon=True)
        self._renewer.start()
        return True

    def confirm(self) -> None:
        """Raise `LeaseLost` unless this lease is still this holder's, for at least another `SECONDS`.

        Called just before a commit or a deletion. A local lease is an OS lock, held until its
        process ends: nothing to check. On object storage the lease is renewed now, only if it
        still carries this holder's tag: a holder stalled (paused, swapped out) past its expiry,
        whose lease another run may have taken over, learns it here and stops.
        """
        if not self.held or self.remote is None:
            return
        with self._guard:
            if not self._lost:
                tag = self.remote.replace(self.NAME, self._body(), self._tag)
                if tag is None:
                    self._lost = True
                else:
                    self._tag = tag
            if self._lost:
                raise LeaseLost(f"the maintenance lease of {self.root} expired and was taken over"
                                f" ({self.holder()}); stopped before changing anything more")

    def _renew(self) -> None:
        while not self._stop.wait(self.SECONDS / 3):
            with self._guard:
                tag = self.remote.replace(self.NAME, self._body(), self._tag) if not self._lost else None
                if tag is None:
                    self._lost = True
                    log.error("lost the maintenance lease of %s", self.root)
                    return
                self._tag = tag
