"""The compiled-policy cache of the command line (issue 15).

Reading a policy (YAML with positions, schema validation, checks, compile) costs more than the
rest of `tierdesk triage --json` or `tierdesk sla due`. The compiled `Rulebook` is therefore
kept as a pickle under the user's cache directory (`$TIERDESK_CACHE_DIR`, else
`$XDG_CACHE_HOME/tierdesk`, else `~/.cache/tierdesk`), named by a key made of:

- the SHA-256 of the policy file's bytes (a preset: of the packaged file);
- the file name as given (findings and sources name it), and the size limit it was read under;
- the `holidays` release, the Python version, and the name, size and modification time of every
  module under tierdesk/domain and tierdesk/policy (the code that defines the compiled form).

Any change to one of them is a miss: the policy is read, checked and compiled as without a
cache, and the result stored. Only a policy that compiled is stored, so an invalid one reports
its findings every time. The cache is a convenience, never a source of truth: a file is
written atomically (temporary file, then rename), read only from our own directory (owned by
this user, not writable by others) and only when owned by this user, must carry its own key,
and any error reading or writing it falls back to reading the policy. Set
`TIERDESK_POLICY_CACHE=off` to bypass it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tierdesk.domain.findings import Finding as Finding  # what check_findings returns

if TYPE_CHECKING:
    from tierdesk.domain.rulebook import Rulebook

FORMAT = b"tierdesk-rulebook-cache/3"  # (key, Rulebook, its triage CompiledRules)
# The packaged presets and the default size limit, as tierdesk.policy.loader defines them (a
# test keeps them equal); repeated so that a cache hit imports neither YAML nor the schema.
PRESETS: tuple[str, ...] = ("cs-sop", "full-sop", "simple")
DEFAULT_MAX_BYTES = 1_000_000
_PACKAGE = Path(__file__).resolve().parent.parent  # src/tierdesk
_CODE_DIRS = ("domain", "policy")


HOLIDAY_YEARS = (-1, 3)  # the years kept as dates, around the year the entry is written


class StoredHolidays:
    """A `holidays` country calendar as an entry keeps it: its dates for the years around the
    year the entry was written, the library asked (imported then) for any other day. Unpickling
    the library's own calendar imports every country it knows (a quarter of a second)."""

    def __init__(self, country: str, subdiv: str | None, years: range, dates: frozenset[date]):
        self.country = country
        self.subdiv = subdiv
        self.years = years
        self.dates = dates
        self._library: Any = None

    @classmethod
    def of(cls, calendar: Any, today: date) -> StoredHolidays | None:
        """`calendar` kept as dates, or None when it is not a `holidays` country calendar."""
        if not type(calendar).__module__.startswith("holidays."):
            return None
        years = range(today.year + HOLIDAY_YEARS[0], today.year + HOLIDAY_YEARS[1])
        dates = frozenset(
            d for y in years for d in calendar.__class__(years=y, subdiv=calendar.subdiv)
        )
        return cls(calendar.country, calendar.subdiv, years, dates)

    def __contains__(self, item: object, /) -> bool:
        if isinstance(item, date) and not isinstance(item, datetime) and item.year in self.years:
            return item in self.dates
        if self._library is None:
            import holidays

            self._library = holidays.country_holidays(self.country, subdiv=self.subdiv)
        return item in self._library

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_library": None}


def _storable(rules: Rulebook, today: date) -> Rulebook:
    """`rules` with each `holidays` calendar as StoredHolidays."""
    calendars = []
    for cal in rules.calendars:
        stored = StoredHolidays.of(cal.holidays, today)
        calendars.append(cal if stored is None else dataclasses.replace(cal, holidays=stored))
    return dataclasses.replace(rules, calendars=tuple(calendars))


def cache_dir() -> Path | None:
    """Where compiled policies are kept; None when the cache is switched off."""
    if os.environ.get("TIERDESK_POLICY_CACHE", "").lower() in {"0", "off", "no", "false"}:
        return None
    given = os.environ.get("TIERDESK_CACHE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tierdesk"


def _holidays_stamp() -> str:
    """Which `holidays` release the calendars come from (its version file's size and mtime),
    found without importing it: an upgrade may move a holiday, so it is a miss."""
    try:
        from importlib.util import find_spec

        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            return "holidays:none"
        st = os.stat(Path(spec.origin).parent / "version.py")
    except (OSError, ImportError, ValueError):
        return "holidays:unknown"
    return f"holidays:{st.st_size}:{st.st_mtime_ns}"


def _code_stamp() -> bytes:
    # tierdesk's own code is stamped file by file below, so its version adds nothing (and
    # reading it from the installed metadata cost 25 ms a run).
    parts = [_holidays_stamp(), sys.version]
    for sub in _CODE_DIRS:
        for root, dirs, files in os.walk(_PACKAGE / sub):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    st = os.stat(os.path.join(root, name))
                    parts.append(f"{root}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts).encode()


def _max_bytes() -> int:
    """The policy size limit (TIERDESK_POLICY_MAX_BYTES), reading the settings only when it is
    set (case-insensitively, as the settings read it)."""
    if any(k.upper() == "TIERDESK_POLICY_MAX_BYTES" for k in os.environ):
        from tierdesk.cli.common import policy_max_bytes

        return policy_max_bytes()
    return DEFAULT_MAX_BYTES


def _source(policy_file: Path | None, preset: str | None) -> tuple[Path, str, int] | None:
    """The file to hash, the name it is read under and the size limit; None when the cache
    does not apply (an unknown preset: reading reports it)."""
    if policy_file is not None:
        return policy_file, str(policy_file), _max_bytes()
    name = preset or "cs-sop"
    if name not in PRESETS:
        return None
    return _PACKAGE / "policy" / "presets" / f"{name}.yaml", f"preset:{name}", 0


def _read_bytes(path: Path, max_bytes: int) -> bytes | None:
    try:
        if max_bytes and path.stat().st_size > max_bytes:
            return None  # reading reports it
        return path.read_bytes()
    except OSError:
        return None


def _safe_dir(directory: Path) -> bool:
    """`directory` exists (or was made), is ours and not writable by anyone else."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = directory.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(st.st_mode)
        and st.st_uid == os.getuid()
        and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _load(path: Path, key: str) -> Rulebook | None:
    from tierdesk.domain import triage
    from tierdesk.domain.rulebook import Rulebook

    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode) or st.st_uid != os.getuid():
                return None
            stored_key, rules, phrases = pickle.load(f)  # noqa: S301 - our own file (docstring)
    except Exception:  # a missing, damaged or foreign entry is a miss
        return None
    if (
        stored_key != key
        or not isinstance(rules, Rulebook)
        or not isinstance(phrases, triage.CompiledRules)
    ):
        return None
    triage.remember(rules, phrases)
    return rules


def _store(directory: Path, prefix: str, key: str, rules: Rulebook) -> None:
    """Write the entry atomically and drop older entries of the same policy file. The entry
    holds the triage phrases compiled too (tierdesk.domain.triage.compiled)."""
    from tierdesk.domain import triage

    target = directory / f"{prefix}-{key}.pickle"
    try:
        stored = _storable(rules, datetime.now(UTC).date())
        phrases = triage.compiled(stored)
    except Exception:  # the cache is optional; the next run reads again
        return
    _write(directory, prefix, target, (key, stored, phrases))


def _key(name: str, max_bytes: int, data: bytes, kind: bytes) -> tuple[str, str]:
    digest = hashlib.sha256()
    for part in (FORMAT, kind, _code_stamp(), name.encode(), str(max_bytes).encode()):
        digest.update(hashlib.sha256(part).digest())
    digest.update(hashlib.sha256(data).digest())
    prefix = hashlib.sha256(kind + b"\0" + name.encode()).hexdigest()[:16]
    return digest.hexdigest(), prefix


def check_findings(file: Path, check: Callable[[], list[Finding]]) -> list[Finding]:
    """The findings of `policy check FILE`: from the cache when its key matches, else
    `check()`, stored when none is an error (a policy with errors is read every time)."""
    directory = cache_dir()
    max_bytes = _max_bytes()
    data = _read_bytes(file, max_bytes)
    if directory is None or data is None or not _safe_dir(directory):
        return check()
    key, prefix = _key(str(file), max_bytes, data, b"check")
    entry = directory / f"{prefix}-{key}.pickle"
    try:
        with entry.open("rb") as f:
            st = os.fstat(f.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid():
                stored_key, rows = pickle.load(f)  # noqa: S301 - our own file (docstring)
                if stored_key == key:
                    return [Finding(*row) for row in rows]
    except Exception:  # noqa: S110 - a missing, damaged or foreign entry is a miss
        pass
    findings = check()
    if all(f.severity != "error" for f in findings) and _read_bytes(file, max_bytes) == data:
        rows = [(f.severity, f.path, f.message, f.line, f.col, f.file) for f in findings]
        _write(directory, prefix, entry, (key, rows))
    return findings


def _write(directory: Path, prefix: str, target: Path, value: object) -> None:
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in directory.glob(f"{prefix}-*.pickle"):
            if old != target:
                old.unlink(missing_ok=True)
    except Exception:  # noqa: S110 - the cache is optional; the next run reads again
        pass


def rulebook(
    policy_file: Path | None, preset: str | None, compile_policy: Callable[[], Rulebook]
) -> Rulebook:
    """The compiled policy of `policy_file` (or the preset), from the cache when its key
    matches, else `compile_policy()` (which raises as reading the policy does), then stored."""
    directory = cache_dir()
    source = _source(policy_file, preset)
    if directory is None or source is None:
        return compile_policy()
    path, name, max_bytes = source
    data = _read_bytes(path, max_bytes)
    if data is None or not _safe_dir(directory):
        return compile_policy()
    digest = hashlib.sha256()
    for part in (FORMAT, _code_stamp(), name.encode(), str(max_bytes).encode()):
        digest.update(hashlib.sha256(part).digest())
    digest.update(hashlib.sha256(data).digest())
    key = digest.hexdigest()
    prefix = hashlib.sha256(name.encode()).hexdigest()[:16]
    entry = directory / f"{prefix}-{key}.pickle"
    cached = _load(entry, key)
    if cached is not None:
        return cached
    rules = compile_policy()
    if _read_bytes(path, max_bytes) == data:  # not changed while it was being read
        _store(directory, prefix, key, rules)
    return rules
