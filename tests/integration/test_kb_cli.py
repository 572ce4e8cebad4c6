"""`tierdesk kb export` / `kb import` on SQLite: a round trip gives the same files, and bad
front matter is an error naming the file and line that imports nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tierdesk import bootstrap
from tierdesk.cli.main import app
from tierdesk.config import Settings
from tierdesk.services import kb, users

runner = CliRunner()


def _database(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    env = bootstrap.open_env(Settings(database_url=url))
    users.add_user(env, username="mei", display_name="Mei", role="agent_l1", actor_id=None)
    return url


def _seed(url: str) -> None:
    env = bootstrap.open_env(Settings(database_url=url))
    with env.reader() as uow:
        mei = uow.users.get_by_username("mei")
    assert mei is not None
    view = kb.create_article(
        env,
        actor_id=mei.id,
        category="returns_refunds",
        language="en",
        title="Refund policy",
        body="Refunds within **7 days**.\n\n- sign in\n- press *Refund*",
        tags=["refund", "faq"],
    )
    kb.add_translation(
        env,
        article_id=view.article.id,
        actor_id=mei.id,
        language="zh-TW",
        title="退款政策：七天內",
        body="我想申請退款流程",
    )
    kb.create_article(
        env,
        actor_id=mei.id,
        category="order_status",
        language="zh-TW",
        title="查詢訂單",
        body="包裹追蹤",
        audience="internal",
        slug="track-order",
    )


def _files(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.md"))}


def test_export_then_import_then_export_gives_the_same_files(tmp_path: Path) -> None:
    first, second = _database(tmp_path, "a.db"), _database(tmp_path, "b.db")
    _seed(first)
    out = tmp_path / "kb"
    done = runner.invoke(app, ["kb", "export", str(out), "--as", "mei", "--database-url", first])
    assert done.exit_code == 0, done.output
    files = _files(out)
    assert set(files) == {"refund-policy.en.md", "refund-policy.zh-TW.md", "track-order.zh-TW.md"}
    assert files["refund-policy.zh-TW.md"].startswith("---\nslug: refund-policy\nlanguage: zh-TW\n")
    imported = runner.invoke(
        app, ["kb", "import", str(out), "--as", "mei", "--database-url", second]
    )
    assert imported.exit_code == 0, imported.output
    assert "2 new article(s), 1 new translation(s)" in imported.output
    again = tmp_path / "again"
    runner.invoke(app, ["kb", "export", str(again), "--as", "mei", "--database-url", second])
    assert _files(again) == files
    twice = runner.invoke(app, ["kb", "import", str(out), "--as", "mei", "--database-url", second])
    assert "3 unchanged" in twice.output


def test_bad_front_matter_names_the_file_and_line_and_imports_nothing(tmp_path: Path) -> None:
    url = _database(tmp_path, "a.db")
    src = tmp_path / "kb"
    src.mkdir()
    good = "---\nslug: fine\nlanguage: en\ntitle: Fine\ncategory: order_status\n---\nBody.\n"
    (src / "a-fine.en.md").write_text(good, encoding="utf-8")
    bad = "---\nslug: broken\nlanguage: en\ntitle: [unclosed\ncategory: order_status\n---\nBody\n"
    (src / "b-broken.en.md").write_text(bad, encoding="utf-8")
    result = runner.invoke(app, ["kb", "import", str(src), "--as", "mei", "--database-url", url])
    assert result.exit_code == 2, result.output
    assert f"{src / 'b-broken.en.md'}:" in result.output
    (src / "b-broken.en.md").write_text(
        good.replace("fine", "other").replace("order_status", "nope"), encoding="utf-8"
    )
    wrong = runner.invoke(app, ["kb", "import", str(src), "--as", "mei", "--database-url", url])
    assert "b-broken.en.md:1:" in wrong.output and "nope" in wrong.output
    (src / "b-broken.en.md").write_text(good.replace("title:", "titel:"), encoding="utf-8")
    unknown = runner.invoke(app, ["kb", "import", str(src), "--as", "mei", "--database-url", url])
    assert "b-broken.en.md:4: unknown key 'titel'" in unknown.output
    env = bootstrap.open_env(Settings(database_url=url))
    with env.reader() as uow:
        assert uow.kb.get_by_slug("fine") is None  # nothing was imported
