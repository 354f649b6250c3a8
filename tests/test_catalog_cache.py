"""The signed catalog pickle: round trips, key handling, and every way a bad file is refused."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from brcc_core.catalog.cache import (
    HEADER,
    HEADER_SIZE,
    KEY_FILENAME,
    SIGNATURE_WARNING,
    TAG_SIZE,
    CacheLoad,
    CatalogCache,
)
from tests import faketime_sleep

REPO_ROOT = Path(__file__).resolve().parents[1]
CLUB_TZ = ZoneInfo("America/New_York")
KEY = b"configured-key-for-tests-0123456789"


@dataclass
class Listing:
    key: str
    starts_at: datetime
    capacity: int | None
    tags: list[str] = field(default_factory=list)


def sample_catalog() -> dict:
    start = datetime(2025, 3, 14, 19, 30, tzinfo=CLUB_TZ)
    return {
        "built_at": datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
        "listings": [
            Listing("wc:4156:s1:d1", start, 55, ["bookings"]),
            Listing("eb:123:456", start + timedelta(days=7), None),
        ],
    }


class _TouchOnLoad:
    """Pickles to "call Path.touch(marker)": loading it would run code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _signed_file(key: bytes, payload: bytes, header: bytes = HEADER) -> bytes:
    return header + hmac.new(key, header + payload, hashlib.sha256).digest() + payload


def _assert_discarded(cache: CatalogCache, result: CacheLoad, caplog, warning: str) -> None:
    assert result.value is None
    assert result.warning == warning
    assert not cache.exists(), "the bad file must not stay where the next load finds it"
    assert cache.rejected_path.is_file()
    assert "Discarded the saved catalog" in caplog.text


def test_round_trip_keeps_dataclasses_and_aware_datetimes(tmp_path):
    cache = CatalogCache(tmp_path, key=KEY)
    catalog = sample_catalog()
    cache.save(catalog)

    result = CatalogCache(tmp_path, key=KEY).load()

    assert result.warning is None
    assert result.value == catalog
    assert result.value["listings"][0].starts_at.utcoffset() == timedelta(hours=-4)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_missing_file_is_none_without_warning(tmp_path):
    cache = CatalogCache(tmp_path, key=KEY)
    assert cache.load() == CacheLoad(None, None)
    assert not cache.rejected_path.exists()


def test_generated_key_is_made_once_and_reused_by_a_second_instance(tmp_path):
    first = CatalogCache(tmp_path / "data")  # data dir created on demand
    key_file = tmp_path / "data" / KEY_FILENAME
    key = key_file.read_bytes()
    assert len(key) == 32
    first.save({"n": 1})

    second = CatalogCache(tmp_path / "data")

    assert key_file.read_bytes() == key
    assert second.load() == CacheLoad({"n": 1}, None)


def test_key_file_is_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        CatalogCache(tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / KEY_FILENAME).stat().st_mode) == 0o600


def test_loose_permissions_on_an_existing_key_file_are_tightened(tmp_path):
    CatalogCache(tmp_path).save([1])
    key_file = tmp_path / KEY_FILENAME
    os.chmod(key_file, 0o644)

    assert CatalogCache(tmp_path).load().value == [1]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_configured_key_is_used_and_no_key_file_is_written(tmp_path):
    cache = CatalogCache(tmp_path, key=KEY)
    cache.save({"n": 2})

    assert not (tmp_path / KEY_FILENAME).exists()
    assert CatalogCache(tmp_path, key=KEY).load().value == {"n": 2}
    # The file really is signed with that key, not with some other one.
    data = cache.path.read_bytes()
    assert data == _signed_file(KEY, data[HEADER_SIZE + TAG_SIZE :])


def test_a_file_signed_with_another_key_is_discarded(tmp_path, caplog):
    CatalogCache(tmp_path, key=b"another-key-another-key").save({"n": 3})
    cache = CatalogCache(tmp_path, key=KEY)

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, SIGNATURE_WARNING)


def test_generated_key_file_does_not_open_a_cache_signed_with_the_configured_key(tmp_path, caplog):
    CatalogCache(tmp_path, key=KEY).save({"n": 4})
    cache = CatalogCache(tmp_path)  # generates cache.key, a different key

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, SIGNATURE_WARNING)


@pytest.mark.parametrize("where", ["first payload byte", "last payload byte", "signature byte"])
def test_one_tampered_byte_is_discarded(tmp_path, caplog, where):
    cache = CatalogCache(tmp_path, key=KEY)
    cache.save(sample_catalog())
    data = bytearray(cache.path.read_bytes())
    index = {"first payload byte": HEADER_SIZE + TAG_SIZE, "last payload byte": -1}.get(
        where, HEADER_SIZE
    )
    data[index] ^= 0x01
    cache.path.write_bytes(bytes(data))

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, SIGNATURE_WARNING)
    assert cache.rejected_path.read_bytes() == bytes(data), "moved aside as found"
    assert cache.load() == CacheLoad(None, None), "the next load starts clean"


@pytest.mark.parametrize("keep", [0, 5, HEADER_SIZE + TAG_SIZE - 1, "half", "all but one"])
def test_a_truncated_file_is_discarded(tmp_path, caplog, keep):
    cache = CatalogCache(tmp_path, key=KEY)
    cache.save(sample_catalog())
    data = cache.path.read_bytes()
    size = {"half": len(data) // 2, "all but one": len(data) - 1}.get(keep, keep)
    cache.path.write_bytes(data[:size])

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, SIGNATURE_WARNING)


@pytest.mark.parametrize("disguise", ["plain pickle", "our header, forged signature"])
def test_an_unsigned_pickle_is_never_unpickled(tmp_path, caplog, disguise):
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_TouchOnLoad(marker))
    cache = CatalogCache(tmp_path / "data", key=KEY)
    if disguise == "plain pickle":
        cache.path.write_bytes(evil)
    else:
        cache.path.write_bytes(HEADER + b"\0" * TAG_SIZE + evil)

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, SIGNATURE_WARNING)
    assert not marker.exists(), "the file was unpickled"
    # Control: the payload really does run code when unpickled, so the check above can fail.
    pickle.loads(evil)
    assert marker.exists()


def test_an_unknown_header_version_is_discarded_even_when_correctly_signed(tmp_path, caplog):
    marker = tmp_path / "pwned"
    cache = CatalogCache(tmp_path / "data", key=KEY)
    future_header = HEADER[:-1] + bytes([HEADER[-1] + 1])
    cache.path.write_bytes(
        _signed_file(KEY, pickle.dumps(_TouchOnLoad(marker)), header=future_header)
    )

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, result.warning)
    assert "another version of the app" in result.warning
    assert "Refresh data" in result.warning
    assert not marker.exists()


def test_a_signed_payload_that_fails_to_unpickle_is_discarded(tmp_path, caplog):
    cache = CatalogCache(tmp_path, key=KEY)
    cache.path.write_bytes(_signed_file(KEY, b"this is not a pickle"))

    with caplog.at_level(logging.WARNING):
        result = cache.load()

    _assert_discarded(cache, result, caplog, result.warning)
    assert "could not be read" in result.warning
    assert "Refresh data" in result.warning


def test_the_key_never_appears_in_warnings_logs_or_the_cache_file(tmp_path, caplog):
    cache = CatalogCache(tmp_path, key=KEY)
    cache.save({"n": 5})
    generated = CatalogCache(tmp_path / "gen")
    generated.save({"n": 6})
    secret_forms = [KEY, KEY.hex().encode(), (tmp_path / "gen" / KEY_FILENAME).read_bytes()]
    secret_forms += [s.hex().encode() for s in secret_forms[2:]]
    cache.path.write_bytes(b"garbage")

    with caplog.at_level(logging.DEBUG):
        result = cache.load()
        CatalogCache(tmp_path / "gen").load()

    visible = (result.warning + caplog.text + repr(cache) + repr(generated)).encode()
    for form in secret_forms:
        assert form not in visible
        assert form not in generated.path.read_bytes()
    with pytest.raises(TypeError):
        pickle.dumps(cache)


def test_clear_exists_and_info_for_the_health_panel(tmp_path):
    cache = CatalogCache(tmp_path, key=KEY)
    assert not cache.exists()
    assert cache.info() is None
    cache.clear()  # nothing to clear is fine

    # The file's modified time is the file system's, not the app's clock: compare it with
    # a file written just before.
    marker = tmp_path / "before"
    marker.touch()
    before = datetime.fromtimestamp(marker.stat().st_mtime, UTC) - timedelta(seconds=1)
    cache.save(sample_catalog())

    assert cache.path == tmp_path / "catalog.pkl"
    assert cache.exists()
    size, modified = cache.info()
    assert size == cache.path.stat().st_size > 0
    assert before <= modified <= before + timedelta(seconds=60)

    cache.clear()
    assert not cache.exists()
    assert cache.info() is None
    assert cache.load() == CacheLoad(None, None)
    assert (tmp_path / KEY_FILENAME).exists() is False  # configured key: still no key file


def test_custom_filename(tmp_path):
    cache = CatalogCache(tmp_path, key=KEY, filename="other.pkl")
    cache.save([1, 2])
    assert (tmp_path / "other.pkl").is_file()
    assert not (tmp_path / "catalog.pkl").exists()
    assert CatalogCache(tmp_path, key=KEY, filename="other.pkl").load().value == [1, 2]


def test_concurrent_saves_and_loads_from_threads_never_tear(tmp_path):
    # Big enough that a torn write would be caught mid-file.
    objects = [{"writer": i, "rows": list(range(i, i + 200_000))} for i in range(6)]
    cache = CatalogCache(tmp_path, key=KEY)
    cache.save(objects[0])
    problems: list[str] = []
    stop = threading.Event()

    def writer(obj):
        for _ in range(5):
            CatalogCache(tmp_path, key=KEY).save(obj)

    def reader():
        reader_cache = CatalogCache(tmp_path, key=KEY)
        while not stop.is_set():
            result = reader_cache.load()
            if result.warning is not None or result.value not in objects:
                problems.append(repr(result.warning))
                return

    readers = [threading.Thread(target=reader) for _ in range(3)]
    writers = [threading.Thread(target=writer, args=(obj,)) for obj in objects]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join()
    stop.set()
    for t in readers:
        t.join()

    assert problems == []
    assert cache.load().value in objects
    assert not cache.rejected_path.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


_PROCESS_SCRIPT = """
import sys, time
from pathlib import Path
from brcc_core.catalog.cache import CatalogCache

data_dir, writer, go = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
while not go.exists():
    time.sleep(0.001)
cache = CatalogCache(data_dir)  # no configured key: all processes race to create cache.key
for round_ in range(8):
    cache.save({"writer": writer, "rows": list(range(writer, writer + 100_000))})
    result = cache.load()
    if result.warning is not None:
        sys.exit(f"writer {writer} saw a warning: {result.warning}")
"""


def test_concurrent_processes_agree_on_one_key_and_leave_a_valid_file(tmp_path):
    data_dir = tmp_path / "data"
    go = tmp_path / "go"
    env = faketime_sleep.with_repo_on_path(REPO_ROOT)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _PROCESS_SCRIPT, str(data_dir), str(i), str(go)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    time.sleep(0.5)  # let every interpreter start and wait at the barrier
    go.touch()
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err

    result = CatalogCache(data_dir).load()
    assert result.warning is None
    assert result.value["writer"] in range(4)
    assert result.value["rows"] == list(
        range(result.value["writer"], result.value["writer"] + 100_000)
    )
    assert not (data_dir / "catalog.pkl.rejected").exists()


@pytest.mark.parametrize("earlier_rejected", [None, "file", "dir"])
def test_a_directory_in_place_of_the_file_is_set_aside_and_the_cache_rebuilt(
    tmp_path, caplog, earlier_rejected
):
    cache = CatalogCache(tmp_path)
    cache.path.mkdir()
    (cache.path / "inside.txt").write_text("someone's notes")
    if earlier_rejected == "file":
        cache.rejected_path.write_bytes(b"an earlier bad file")
    elif earlier_rejected == "dir":
        cache.rejected_path.mkdir()
    loaded = cache.load()
    assert loaded.value is None and "could not be read" in loaded.warning
    assert not cache.path.exists()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("catalog.pkl.rejected")]
    assert any((p / "inside.txt").is_file() for p in aside if p.is_dir()), "nothing deleted"
    cache.save({"rebuilt": True})
    assert cache.load() == ({"rebuilt": True}, None)


def test_saving_over_a_directory_sets_it_aside_first(tmp_path):
    cache = CatalogCache(tmp_path)
    cache.path.mkdir()
    cache.save({"rebuilt": True})
    assert cache.load().value == {"rebuilt": True}
    assert cache.rejected_path.is_dir()
