"""Settings: documented, read from TIERDESK_* variables, and a secret that never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierdesk.config import SECRET_FILE, Settings, ensure_secret

DOCS = Path(__file__).parents[2] / "docs" / "api.md"


def test_every_setting_has_a_description_and_is_in_the_api_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert name.upper() in text, f"TIERDESK_{name.upper()} is not in docs/api.md"


def test_settings_come_from_tierdesk_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIERDESK_PORT", "9001")
    monkeypatch.setenv("TIERDESK_DATABASE_URL", "postgresql+psycopg://u@h/db")
    s = Settings()
    assert (s.port, s.database_url, s.host) == (9001, "postgresql+psycopg://u@h/db", "127.0.0.1")


def test_a_missing_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = ensure_secret(Settings(var_dir=tmp_path))
    again = ensure_secret(Settings(var_dir=tmp_path))
    assert first.secret_key is not None and again.secret_key is not None
    key = first.secret_key.get_secret_value()
    assert len(key) >= 32 and key == again.secret_key.get_secret_value()
    assert (tmp_path / SECRET_FILE).stat().st_mode & 0o077 == 0
    assert key not in repr(first) and key not in str(first.model_dump())


def test_a_configured_secret_wins_and_nothing_is_written(tmp_path: Path) -> None:
    s = ensure_secret(Settings(var_dir=tmp_path, secret_key="k" * 40))
    assert s.secret_key is not None and s.secret_key.get_secret_value() == "k" * 40
    assert not (tmp_path / SECRET_FILE).exists()


def test_a_too_short_stored_secret_is_refused(tmp_path: Path) -> None:
    (tmp_path / SECRET_FILE).write_text("short", encoding="utf-8")
    with pytest.raises(ValueError, match="shorter than 32"):
        ensure_secret(Settings(var_dir=tmp_path))


def test_public_links_are_absolute_from_the_public_url(tmp_path: Path) -> None:
    from tierdesk import bootstrap

    assert Settings(public_url="https://help.example.com/").public_base() == (
        "https://help.example.com"
    )
    assert Settings(host="10.1.2.3", port=9000).public_base() == "http://10.1.2.3:9000"
    with pytest.raises(ValueError, match="public_url"):
        Settings(public_url="help.example.com")
    with pytest.raises(ValueError, match="chat_frame_ancestors"):
        Settings(chat_frame_ancestors="https://a.example 'unsafe-inline'")
    env = bootstrap.open_env(Settings(var_dir=tmp_path, public_url="https://help.example.com/desk"))
    assert env.survey_url == "https://help.example.com/desk/survey/{token}"
