"""`tierdesk triage train --from-store` on a real SQLite store with the real classifier."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tierdesk.cli.main import app
from tierdesk.cli.serve_cmd import open_env, settings_from
from tierdesk.services import corrections, lifecycle, model_versions, users
from tierdesk.services.customers import Contact
from tierdesk.services.tickets import open_ticket

runner = CliRunner()
GADGETS = ["juicer", "kettle", "toaster", "blender", "lamp", "heater"]


def _store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    env = open_env(settings_from(database_url=url))
    lead = users.add_user(
        env, username="lead", display_name="Lead", role="team_lead", actor_id=None
    ).id
    for i in range(40):
        contact = Contact("email", f"c{i}@example.tw")
        if i % 2:
            text = f"my {GADGETS[i % 6]} number {i} makes a weird noise"
            t = open_ticket(env, channel="email", text=text, contact=contact).ticket
            corrections.correct_triage(
                env, ticket_id=t.id, actor_id=lead, category="product_defect", reason="defect"
            )
        else:
            text = f"membership points question number {i}"
            t = open_ticket(env, channel="email", text=text, contact=contact).ticket
            lifecycle.resolve(env, ticket_id=t.id, actor_id=lead, summary="answered")
    return url


def test_a_model_learned_from_the_store_triages_once_a_manager_approves_it(
    tmp_path: Path,
) -> None:
    url = _store(tmp_path)
    model = tmp_path / "model.bin"
    args = ["triage", "train", "--from-store", "--database-url", url]
    result = runner.invoke(app, [*args, "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert "corrected by a person" in result.stdout and "the phrases alone" in result.stdout
    assert "model version 1" in result.stdout and "draft" in result.stdout
    assert model.exists()
    listed = runner.invoke(app, ["triage", "versions", "--database-url", url])
    assert listed.exit_code == 0 and "draft" in listed.stdout, listed.output

    env = open_env(settings_from(database_url=url))
    noisy = "my toaster number 99 makes a weird noise"
    before = open_ticket(env, channel="email", text=noisy, contact=Contact("email", "n@x.tw"))
    assert env.classifier is None and before.ticket.category != "product_defect"
    manager = users.add_user(
        env, username="mgr", display_name="Manager", role="manager", actor_id=None
    ).id
    (draft,) = model_versions.history(env)
    model_versions.approve(env, version_id=draft.id, actor_id=manager, note="better")

    env = open_env(settings_from(database_url=url))  # a server started now, or within 5 s
    assert env.classifier is not None
    after = open_ticket(env, channel="email", text=noisy, contact=Contact("email", "m@x.tw"))
    assert after.ticket.category == "product_defect"

    # Trained again, weighed against the version in force: not worse, so proposed too.
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "model version 1 " in result.stdout and "model version 2" in result.stdout
    assert [v.status for v in model_versions.history(env)] == ["effective", "draft"]


def test_train_from_store_on_an_empty_store_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    out = tmp_path / "m.bin"
    result = runner.invoke(
        app, ["triage", "train", "--from-store", "--database-url", url, "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "too little to learn" in result.stderr
    assert not out.exists()


def test_train_needs_data_or_from_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["triage", "train", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "--from-store" in result.output
