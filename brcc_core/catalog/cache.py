"""The catalog's disk cache: a pickle that only this app can have written.

A pickle is code: unpickling a file runs whatever it says. So every file is signed with
HMAC-SHA256 under a key that lives only in the app's settings (``BRCC_CACHE_KEY``) or
in ``data_dir/cache.key``, and the signature is checked before a single byte is
unpickled. A file that fails any check is moved aside, logged, and reported to the
manager as one sentence; it is never loaded.

On disk::

    b"BRCCCAT" | stamp length (1 byte) | stamp | version (1 byte) |
    HMAC-SHA256(key, header + payload) (32 bytes) | payload

The stamp names the systems the catalog was read from (``demo``, or ``live:`` and a
digest of the club's WooCommerce site and Eventbrite organization: ``Settings.systems``).
A file stamped for other systems is set aside unread, like a bad signature: the demo's
products never appear in the club's lists, nor the club's in the demo.

Writes go to a temporary file in the same directory, are fsynced and then renamed onto
``catalog.pkl`` under a file lock, so readers see the old file or the new one, never
half of either. The Streamlit side (``st.session_state``) is the pages' business.

A read-only data directory is read without the lock (nobody can write there), so the
app starts on its saved catalog; a save that the disk refuses raises OSError, which
``disk_problem`` puts in words. What was unpickled is checked against the shape the
caller expects (``load(valid=...)``), and a file of another shape is set aside like a
tampered one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import logging
import os
import pickle
import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from filelock import FileLock, Timeout

from brcc_core.common import clock

log = logging.getLogger(__name__)

MAGIC = b"BRCCCAT"
FORMAT_VERSION = 2  # 2: the systems stamp; a version-1 file is rebuilt once
DEMO_STAMP = "demo"  # what the sandbox's catalog is stamped with (Settings.systems)


def header_for(stamp: str) -> bytes:
    """The header of a file stamped ``stamp``: what the signature covers with the payload."""
    raw = stamp.encode("ascii")
    return MAGIC + bytes([len(raw)]) + raw + bytes([FORMAT_VERSION])


HEADER = header_for(DEMO_STAMP)
HEADER_SIZE = len(HEADER)
TAG_SIZE = hashlib.sha256().digest_size
KEY_FILENAME = "cache.key"
KEY_SIZE = 32
LOCK_TIMEOUT_SECONDS = 60.0

SIGNATURE_WARNING = (
    "The saved catalog was discarded because its signature did not match; "
    "press Refresh data to rebuild it."
)
VERSION_WARNING = (
    "The saved catalog was discarded because it was written by another version of the app; "
    "press Refresh data to rebuild it."
)
UNREADABLE_WARNING = (
    "The saved catalog was discarded because it could not be read; "
    "press Refresh data to rebuild it."
)


def stamp_warning(found: str, expected: str) -> str:
    """Why a catalog read from other systems is not used (stamps: ``Settings.systems``)."""

    def where(stamp: str) -> str:
        return "the demo sandbox" if stamp == DEMO_STAMP else "a club's systems"

    made = where(found) if where(found) != where(expected) else "other systems"
    return (
        f"The saved catalog was read from {made}, not from {where(expected)}, so it was "
        "set aside unread; press Refresh data to build this one."
    )


SHAPE_WARNING = (
    "The saved catalog was discarded because it did not hold what the app expects there; "
    "press Refresh data to rebuild it."
)
BUSY_WARNING = (
    "The saved catalog is being written by another session; "
    "reload the page in a moment, or press Refresh data."
)


class CacheLoad(NamedTuple):
    """What ``load`` found: the object (or None) and a sentence for the manager (or None)."""

    value: Any
    warning: str | None = None


class CacheInfo(NamedTuple):
    """Size and age of the cache file, for the dashboard's health panel."""

    size_bytes: int
    modified: datetime


@dataclass(frozen=True)
class _Rejection:
    warning: str
    reason: str


def _sign(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def _parts(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(header, signature, payload) as the header's stamp length places them."""
    end = len(MAGIC) + 1 + (data[len(MAGIC)] if len(data) > len(MAGIC) else 0) + 1
    return data[:end], data[end : end + TAG_SIZE], data[end + TAG_SIZE :]


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable; best effort (not every OS lets a directory be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def disk_problem(exc: OSError) -> str:
    """Why the data directory refused a write, in a manager's words."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk where the data lives is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the data directory is read-only"
    name = errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    return f"the disk refused the write ({name})"


def data_dir_problem(data_dir: str | os.PathLike[str]) -> str | None:
    """Why nothing can be saved in ``data_dir`` now (read-only, or no space), or None."""
    try:
        st = os.statvfs(data_dir)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return "the data directory is read-only"
    if st.f_bavail * st.f_frsize < 1024 * 1024:
        return "the disk where the data lives is full"
    return None


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a 0600 temp file beside ``target``, fsync it, rename it onto target."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


class CatalogCache:
    """The signed ``catalog.pkl`` in ``data_dir``, plus the key that signs it."""

    def __init__(
        self,
        data_dir: Path,
        key: bytes | None = None,
        filename: str = "catalog.pkl",
        stamp: str = DEMO_STAMP,
    ):
        if not stamp.isascii() or not 0 < len(stamp) < 256:
            raise ValueError("the cache stamp must be 1 to 255 ASCII characters")
        self.stamp = stamp
        self.data_dir = Path(data_dir)
        with contextlib.suppress(OSError):  # a read-only disk: loads still work
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self._path = self.data_dir / filename
        self._rejected_path = self.data_dir / f"{filename}.rejected"
        self._lock_path = self.data_dir / f"{filename}.lock"
        if key is None:
            self._key = self._load_or_create_key()
        else:
            if not isinstance(key, bytes | bytearray):
                raise TypeError("the cache key must be bytes (encode BRCC_CACHE_KEY first)")
            if not key:
                raise ValueError("the cache key must not be empty")
            self._key = bytes(key)

    def __repr__(self) -> str:
        return f"CatalogCache({str(self._path)!r})"

    def __reduce__(self):
        # The key may be written only to cache.key; never let it ride inside a pickle.
        raise TypeError("a CatalogCache cannot be pickled (it holds the signing key)")

    @property
    def path(self) -> Path:
        """Where the catalog pickle lives."""
        return self._path

    @property
    def rejected_path(self) -> Path:
        """Where a discarded file is moved, so it can be inspected but never loaded."""
        return self._rejected_path

    def _lock(self) -> FileLock:
        # A fresh FileLock each time: flock on its own descriptor also excludes other
        # threads of this process, not only other processes.
        return FileLock(str(self._lock_path), timeout=LOCK_TIMEOUT_SECONDS)

    @contextlib.contextmanager
    def _read_lock(self) -> Iterator[None]:
        """The lock for reading, or none when the lock file cannot be made (a read-only
        data directory: nobody writes there, so there is nothing to wait for)."""
        lock = self._lock()
        try:
            lock.acquire()
        except Timeout:
            raise
        except OSError as exc:
            log.info("Reading %s without its lock: %s", self._path, disk_problem(exc))
            yield
            return
        try:
            yield
        finally:
            lock.release()

    def _load_or_create_key(self) -> bytes:
        """Read ``cache.key``, or make it once: under the lock, so racing processes agree.
        A whole key is read without the lock (it is written by an atomic rename), so a
        read-only data directory still opens."""
        key_path = self.data_dir / KEY_FILENAME
        with contextlib.suppress(OSError):
            key = key_path.read_bytes()
            if len(key) == KEY_SIZE and not key_path.stat().st_mode & 0o077:
                return key
        try:
            return self._create_key(key_path)
        except OSError as exc:
            # No key can be kept (a read-only data directory with none in it): nothing
            # saved here could be verified anyway; this process signs with its own.
            log.warning("No catalog cache key can be kept: %s.", disk_problem(exc))
            return secrets.token_bytes(KEY_SIZE)

    def _create_key(self, key_path: Path) -> bytes:
        with self._lock():
            try:
                key = key_path.read_bytes()
            except FileNotFoundError:
                key = b""
            if len(key) == KEY_SIZE:
                if key_path.stat().st_mode & 0o077:
                    os.chmod(key_path, 0o600)
                    log.warning("Tightened the permissions of %s to 0600.", key_path)
                return key
            if key:
                log.warning(
                    "%s does not hold a %d-byte key; writing a new one (the saved catalog "
                    "will be discarded and rebuilt).",
                    key_path,
                    KEY_SIZE,
                )
            key = secrets.token_bytes(KEY_SIZE)
            _write_atomically(key_path, key)  # mkstemp files are created 0600
            os.chmod(key_path, 0o600)
            log.info("Created a new catalog cache key in %s.", key_path)
            return key

    def save(self, obj: Any) -> None:
        """Pickle, sign and atomically replace the cache file."""
        payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        head = header_for(self.stamp)
        data = head + _sign(self._key, head + payload) + payload
        with self._lock():
            if self._path.is_dir() and not self._path.is_symlink():
                # A file cannot be renamed onto a directory: set it aside first.
                self._discard(_Rejection(UNREADABLE_WARNING, "a directory, not a file"))
            _write_atomically(self._path, data)

    def load(self, valid: Callable[[Any], bool] | None = None) -> CacheLoad:
        """The cached object, or None with a warning when the file is not one we signed,
        or (with ``valid``) when what it holds is not of the shape expected: a file of
        another shape is set aside like a tampered one, never handed on."""
        try:
            with self._read_lock():
                try:
                    with open(self._path, "rb") as handle:
                        data = handle.read()
                        identity = self._identity(os.fstat(handle.fileno()))
                except FileNotFoundError:
                    return CacheLoad(None)
                except IsADirectoryError:
                    # Nothing to unpickle, and it would block every save: set it aside.
                    self._discard(_Rejection(UNREADABLE_WARNING, "a directory, not a file"))
                    return CacheLoad(None, UNREADABLE_WARNING)
                except OSError as exc:
                    log.warning("Could not read %s: %s", self._path, type(exc).__name__)
                    return CacheLoad(None, UNREADABLE_WARNING)
                rejection = self._verify(data)
                if rejection is not None:
                    self._discard(rejection)
                    return CacheLoad(None, rejection.warning)
        except Timeout:
            log.warning("Timed out waiting for %s.", self._lock_path)
            return CacheLoad(None, BUSY_WARNING)

        # Signed by us: unpickling is now as safe as the app's own code. Done outside
        # the lock so one session's load does not hold up another's.
        try:
            value = pickle.loads(_parts(data)[2])
        except Exception as exc:  # noqa: BLE001 - any failure means "cannot use this file"
            rejection = _Rejection(
                UNREADABLE_WARNING, f"signed payload failed to unpickle ({type(exc).__name__})"
            )
            try:
                with self._lock():
                    if self._current_identity() == identity:
                        self._discard(rejection)
            except (Timeout, OSError):
                log.warning("Could not move aside %s.", self._path)
            return CacheLoad(None, rejection.warning)
        if valid is not None and not valid(value):
            rejection = _Rejection(SHAPE_WARNING, f"of another shape ({type(value).__name__})")
            with contextlib.suppress(Timeout, OSError), self._lock():
                if self._current_identity() == identity:
                    self._discard(rejection)
            return CacheLoad(None, rejection.warning)
        return CacheLoad(value)

    def _verify(self, data: bytes) -> _Rejection | None:
        """Why ``data`` must not be unpickled, or None when it carries our signature."""
        head, tag, payload = _parts(data)
        if len(tag) < TAG_SIZE or not data.startswith(MAGIC):
            return _Rejection(SIGNATURE_WARNING, "no signed header (unsigned or truncated file)")
        version = head[-1]
        if version != FORMAT_VERSION:
            return _Rejection(VERSION_WARNING, f"unknown format version {version}")
        if not hmac.compare_digest(tag, _sign(self._key, head + payload)):
            return _Rejection(
                SIGNATURE_WARNING, "signature mismatch (tampered, truncated or another key)"
            )
        stamp = head[len(MAGIC) + 1 : -1].decode("ascii", "replace")
        if stamp != self.stamp:
            return _Rejection(
                stamp_warning(stamp, self.stamp), f"stamped {stamp!r}, expected {self.stamp!r}"
            )
        return None

    def _discard(self, rejection: _Rejection) -> None:
        """Move the bad file aside (caller holds the lock) and log why."""
        target = self._rejected_path
        if target.exists() and (target.is_dir() or self._path.is_dir()):
            # os.replace cannot swap a file and a directory: keep each aside, apart.
            stamp = clock.now().strftime("%Y%m%dT%H%M%S%f")
            target = target.with_name(f"{target.name}.{stamp}")
        try:
            os.replace(self._path, target)
            where = f"moved it to {target}"
        except FileNotFoundError:
            where = "it was already gone"
        except OSError as exc:
            where = f"could not move it aside ({type(exc).__name__})"
        log.warning("Discarded the saved catalog %s: %s; %s.", self._path, rejection.reason, where)

    @staticmethod
    def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def _current_identity(self) -> tuple[int, int, int, int] | None:
        try:
            return self._identity(os.stat(self._path))
        except FileNotFoundError:
            return None

    def clear(self) -> None:
        """Delete the cache file (the key stays, so later saves still verify)."""
        with self._lock():
            self._path.unlink(missing_ok=True)

    def exists(self) -> bool:
        """True when a cache file is on disk (not yet checked: ``load`` does that)."""
        return self._path.is_file()

    def info(self) -> CacheInfo | None:
        """(size in bytes, last modified as an aware UTC datetime), or None when absent."""
        try:
            st = self._path.stat()
        except FileNotFoundError:
            return None
        return CacheInfo(st.st_size, datetime.fromtimestamp(st.st_mtime, tz=UTC))
