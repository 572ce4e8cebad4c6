"""The command line starts at once (issue 15): commands are imported lazily, and the compiled
policy is cached by the file's hash, invalidated when the file (or tierdesk) changes."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tierdesk import policy
from tierdesk.cli import policy_cache
from tierdesk.cli.main import COMMAND_MODULES, LAZY_COMMANDS, load_module_commands
from tierdesk.config import Settings

HEAVY = ("sqlalchemy", "fastapi", "uvicorn", "sklearn", "scipy", "tierdesk.bootstrap")
TEXT = "my card was stolen"


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def _env(cache: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERDESK_")}
    return {**env, "TIERDESK_CACHE_DIR": str(cache), **extra}


def test_importing_the_cli_loads_no_heavy_library(tmp_path: Path) -> None:
    code = "import sys, tierdesk.cli.main; print(' '.join(sorted(sys.modules)))"
    r = _run(["-c", code], _env(tmp_path))
    assert r.returncode == 0, r.stderr
    loaded = set(r.stdout.split())
    heavy = [m for m in HEAVY if m in loaded]
    assert not heavy, (
        f"importing tierdesk.cli.main loads {heavy}: a command module imports them at its top; "
        "list its commands in LAZY_COMMANDS (tierdesk/cli/main.py) or import them where used"
    )


def test_the_lazy_table_matches_the_commands_the_modules_register() -> None:
    """`tierdesk --help` lists LAZY_COMMANDS without importing them: each entry's help is the
    command's own (first paragraph), and each lazy module registers exactly its entries."""
    by_module: dict[str, set[str]] = {}
    for entry in LAZY_COMMANDS:
        assert entry.module in COMMAND_MODULES
        by_module.setdefault(entry.module, set()).add(entry.name)
    for module, names in by_module.items():
        commands = load_module_commands(module)
        assert set(commands) == names, module
        for name in names:
            command = commands[name]
            real = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
            entry = next(e for e in LAZY_COMMANDS if e.name == name)
            assert entry.help == real, name
            assert entry.group == hasattr(command, "commands"), name


def test_help_lists_every_command_lazy_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module without a LAZY_COMMANDS entry (one just added) is registered at start and
    listed too, in Typer's order: single commands, then groups."""
    import typer
    from typer.testing import CliRunner

    from tierdesk.cli import main

    lazy = main.LAZY_COMMANDS
    monkeypatch.setattr(main, "_LAZY", {c.name: c for c in lazy if c.module != "triage_cmd"})
    app = typer.Typer(cls=main.LazyGroup)
    app.callback()(lambda: None)
    from tierdesk.cli import staff_cmd, triage_cmd

    staff_cmd.register(app)
    triage_cmd.register(app)
    r = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert r.exit_code == 0, r.output
    names = [c.name for c in lazy]
    for name in names:
        assert f" {name} " in r.output
    lines = [line.split()[1] for line in r.output.splitlines() if line.startswith("│ ")]
    listed = [n for n in lines if n in names]
    assert listed.index("triage") > listed.index("report")  # a group after single commands
    assert listed.count("staff") == 1


def test_the_cache_repeats_the_loaders_constants() -> None:
    assert policy_cache.PRESETS == policy.PRESETS
    assert policy_cache.DEFAULT_MAX_BYTES == policy.MAX_POLICY_BYTES
    assert Settings.model_fields["policy_max_bytes"].default == policy_cache.DEFAULT_MAX_BYTES


@pytest.mark.slow
def test_triage_json_is_the_same_with_a_cold_a_warm_cache_and_after_a_change(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    file = tmp_path / "policy.yaml"
    original = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    file.write_text(original, encoding="utf-8")
    args = ["-m", "tierdesk", "triage", "--json", TEXT, "--policy", str(file)]

    def triage(**extra: str) -> dict[str, object]:
        r = _run(args, _env(cache, **extra))
        assert r.returncode == 0, r.stderr
        out: dict[str, object] = json.loads(r.stdout)
        return out

    uncached = triage(TIERDESK_POLICY_CACHE="off")
    assert not cache.exists()
    cold = triage()
    assert len(list(cache.glob("*.pickle"))) == 1
    warm = triage()
    assert cold == warm == uncached
    assert uncached["category"] == "security_breach"

    file.write_text(original.replace("stolen|", "").replace("|stolen", ""), encoding="utf-8")
    changed = triage()
    assert changed == triage(TIERDESK_POLICY_CACHE="off")
    assert changed != uncached  # the old compiled policy was not used
    assert len(list(cache.glob("*.pickle"))) == 1  # the entry of the old text was dropped


def _counting(path: Path | None, preset: str | None) -> tuple[list[int], object]:
    calls: list[int] = []

    def compile_policy() -> object:
        calls.append(1)
        return policy.compile_policy(policy.load(path, preset).policy)

    return calls, compile_policy


def test_a_hit_skips_reading_and_a_change_or_damage_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIERDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TIERDESK_POLICY_CACHE", raising=False)
    file = tmp_path / "p.yaml"
    file.write_text(policy.preset_path("simple").read_text(encoding="utf-8"), encoding="utf-8")
    calls, compile_policy = _counting(file, None)
    first = policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    second = policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert second.categories == first.categories
    assert second.priorities == first.priorities

    file.write_text(file.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 2

    (entry,) = (tmp_path / "cache").glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    again = policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 3
    assert again.categories == first.categories


def test_another_holidays_release_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade of `holidays` may move a holiday: a calendar compiled with the old one must
    not be reused (the stamp is read without importing the library)."""
    monkeypatch.setenv("TIERDESK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("TIERDESK_POLICY_CACHE", raising=False)
    file = tmp_path / "p.yaml"
    file.write_text(policy.preset_path("simple").read_text(encoding="utf-8"), encoding="utf-8")
    calls, compile_policy = _counting(file, None)
    policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 1
    assert policy_cache._holidays_stamp().startswith("holidays:")
    assert policy_cache._holidays_stamp() not in {"holidays:none", "holidays:unknown"}
    monkeypatch.setattr(policy_cache, "_holidays_stamp", lambda: "holidays:another-release")
    policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 2


def test_an_invalid_policy_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("TIERDESK_CACHE_DIR", str(cache))
    file = tmp_path / "bad.yaml"
    file.write_text("business: [unclosed\n", encoding="utf-8")
    _, compile_policy = _counting(file, None)
    for _ in range(2):
        with pytest.raises(policy.PolicyError):
            policy_cache.rulebook(file, None, compile_policy)  # type: ignore[arg-type]
    assert not list(cache.glob("*.pickle"))


def test_a_cache_directory_others_can_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    monkeypatch.setenv("TIERDESK_CACHE_DIR", str(cache))
    calls, compile_policy = _counting(None, "simple")
    policy_cache.rulebook(None, "simple", compile_policy)  # type: ignore[arg-type]
    policy_cache.rulebook(None, "simple", compile_policy)  # type: ignore[arg-type]
    assert len(calls) == 2
    assert not list(cache.glob("*.pickle"))


def test_unpickled_compiled_phrases_triage_as_the_originals() -> None:
    """The cache pickles the triage phrases with their expressions as sources; compiled
    again on first use, they find the same."""
    import pickle

    from tierdesk.domain import triage
    from tierdesk.domain.routing import triage_ticket

    rules = policy.compile_policy(policy.load(preset="full-sop").policy)
    texts = [TEXT, "I want a refund of NT$5,000, the parcel never came", "我的帳號被盜了", "hi"]
    before = [triage_ticket({"text": t}, rules).to_json() for t in texts]
    copy_rules, copy_phrases = pickle.loads(pickle.dumps((rules, triage.compiled(rules))))  # noqa: S301
    triage.remember(copy_rules, copy_phrases)
    assert triage.compiled(copy_rules) is copy_phrases
    assert [triage_ticket({"text": t}, copy_rules).to_json() for t in texts] == before


def test_stored_holidays_answer_as_the_library() -> None:
    import holidays

    from tierdesk.cli.policy_cache import StoredHolidays

    library = holidays.country_holidays("TW")
    stored = StoredHolidays.of(library, date(2026, 12, 2))
    assert stored is not None
    assert stored.years == range(2025, 2029)
    days = [date(2020, 1, 1) + timedelta(days=i) for i in range(365 * 12)]  # in and out of range
    assert [d in stored for d in days] == [d in library for d in days]
    assert datetime(2026, 1, 1, 9, tzinfo=UTC) in stored  # a datetime: the library decides
    assert StoredHolidays.of(frozenset(), date(2026, 1, 1)) is None


def test_cached_findings_are_the_loaders_own_without_the_loader() -> None:
    """The cache prints findings with the loader's class, which needs neither YAML nor the
    schema (tierdesk.domain.findings)."""
    code = (
        "import sys; from tierdesk.cli import policy_cache; "
        "from tierdesk.domain.findings import Finding; "
        "assert policy_cache.Finding is Finding; "
        "print(sorted(m for m in ('ruamel.yaml', 'pydantic', 'tierdesk.policy.loader') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    from tierdesk.cli import policy_cache

    assert policy_cache.Finding is policy.Finding


@pytest.mark.slow
def test_policy_check_prints_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    file = tmp_path / "policy.yaml"
    text = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    file.write_text(text, encoding="utf-8")

    def check(*flags: str, **extra: str) -> tuple[int, str, str]:
        r = _run(["-m", "tierdesk", "policy", "check", str(file), *flags], _env(cache, **extra))
        return r.returncode, r.stdout, r.stderr

    for flags in ((), ("--json",)):
        uncached = check(*flags, TIERDESK_POLICY_CACHE="off")
        assert check(*flags) == uncached  # cold
        assert check(*flags) == uncached  # warm
    file.write_text(text.replace("priorities:", "priorities:\n  bogus: 1", 1), encoding="utf-8")
    broken = check(TIERDESK_POLICY_CACHE="off")
    assert broken[0] == 1
    assert check() == broken
    assert check() == broken
