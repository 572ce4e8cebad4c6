"""The packaged presets (cs-sop, full-sop, simple) load, check, and say what their seeds say."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tierdesk import policy
from tierdesk.policy.loader import Finding

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"

# Warnings a preset keeps on purpose because its seed lacks the number (see each file's header).
EXPECTED_WARNINGS: dict[str, set[str]] = {
    "cs-sop": set(),
    "full-sop": {"no target for metric avg_response_time (R-MET-1)"},
    "simple": {
        "no target for metric fcr (R-MET-1)",
        "no target for metric avg_response_time (R-MET-1)",
        "no target for metric escalation_rate (R-MET-1)",
    },
}


def findings(name: str) -> list[Finding]:
    return policy.check(policy.load(preset=name))


@pytest.mark.parametrize("name", policy.PRESETS)
def test_every_preset_checks_without_errors(name: str) -> None:
    errors = [f.format() for f in findings(name) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("name", policy.PRESETS)
def test_every_preset_warns_only_where_its_seed_lacks_a_number(name: str) -> None:
    warnings = {f.message for f in findings(name) if f.severity == "warning"}
    assert warnings == EXPECTED_WARNINGS[name]


@pytest.mark.parametrize("name", policy.PRESETS)
def test_every_preset_compiles_to_a_rulebook(name: str) -> None:
    rules = policy.rulebook(preset=name)
    assert [t.id for t in rules.tiers] == ["L1", "L2", "L3"]
    assert [p.id for p in rules.priorities] == ["P1", "P2", "P3", "P4"]


def test_each_example_policy_is_a_link_to_its_packaged_preset() -> None:
    names = sorted(p.name for p in EXAMPLES.glob("*.yaml"))
    assert names == sorted(f"{n}.yaml" for n in policy.PRESETS)
    for name in policy.PRESETS:
        example = EXAMPLES / f"{name}.yaml"
        assert example.is_symlink()
        assert not Path(example.readlink()).is_absolute()
        assert example.resolve() == policy.preset_path(name).resolve()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_policy_loads_and_checks(path: Path) -> None:
    loaded, _ = policy.load_checked(path)
    assert loaded.policy.tierdesk == 1


@pytest.mark.rule("R-ESC-6")
def test_full_sop_matrix_is_seed_003_billing_bands_and_levels() -> None:
    rules = policy.rulebook(preset="full-sop")
    rows = {r.id: r for r in rules.matrix}
    bands = [(b.low, b.high, b.role) for b in rows["billing_dispute"].bands]
    assert bands == [
        (Decimal(0), Decimal(100), "agent_l1"),
        (Decimal(100), Decimal(500), "team_lead"),
        (Decimal(500), Decimal(1000), "supervisor"),
        (Decimal(1000), None, "manager"),
    ]
    assert rows["billing_dispute"].currency == "USD"
    levels = {row: [lv[0] for lv in rows[row].levels] for row in rows if row != "billing_dispute"}
    assert levels == {
        "technical": ["basic", "moderate", "complex_recurring", "critical_outage"],
        "service_complaint": ["first_contact", "repeat", "escalated", "social_media"],
        "legal": ["refer", "consult", "handle", "required"],
    }


@pytest.mark.rule("R-TIER-2")
def test_full_sop_keeps_media_exposure_as_a_trigger_but_not_vip_status() -> None:
    loaded = policy.load(preset="full-sop")
    row = next(r for r in loaded.policy.escalation.matrix if r.id == "service_complaint")
    top = row.levels[-1]
    assert (top.id, top.role, top.signal) == ("social_media", "manager", "media_mention")
    assert "vip" not in loaded.policy.model_dump_json().lower()
    assert not any("R-TIER-2" in f.message for f in policy.check(loaded))


@pytest.mark.rule("R-AUTH-2")
def test_full_sop_authority_follows_seed_003_recovery_actions() -> None:
    authority = policy.rulebook(preset="full-sop").authority
    assert authority.currency == "USD"

    def limit(action: str, role: str) -> Decimal:
        found = authority.action(action)
        assert found is not None, action
        return found.limit(role)

    for role in authority.ladder:
        assert limit("apology", role) > 0
        assert limit("expedited_shipping", role) > 0
    assert (limit("discount", "agent_l1"), limit("discount", "team_lead")) == (0, 15)
    assert limit("discount", "supervisor") == 25
    assert (limit("full_refund", "team_lead"), limit("full_refund", "supervisor")) == (0, 1)
    assert (limit("complimentary", "team_lead"), limit("complimentary", "supervisor")) == (50, 200)
    assert not limit("complimentary", "manager").is_finite()


@pytest.mark.rule("R-AUTH-1")
@pytest.mark.parametrize("name", policy.PRESETS)
def test_every_preset_lets_l1_refund_under_a_threshold(name: str) -> None:
    refund = policy.rulebook(preset=name).authority.action("refund")
    assert refund is not None
    assert refund.limit("agent_l1") > 0


@pytest.mark.rule("R-MET-1")
def test_full_sop_metric_targets_are_seed_003s() -> None:
    metrics = {m.id: m.display for m in policy.rulebook(preset="full-sop").metrics}
    assert metrics["fcr"] == "> 85%"
    assert metrics["csat"] == "> 90%"
    assert metrics["nps"] == "> 50"
    assert metrics["aht"] == "< 8m"
    assert metrics["email_response_time"] == "< 4h"
    assert metrics["service_level"] == "> 80% in 60s"


@pytest.mark.rule("R-QA-1")
def test_full_sop_qa_checklist_has_seed_003s_ten_items() -> None:
    ids = [q.id for q in policy.rulebook(preset="full-sop").qa_checklist]
    assert len(ids) == 10
    assert ids[0] == "greeting"
    assert ids[-1] == "aht"


@pytest.mark.rule("R-PRI-2")
def test_simple_preset_priorities_are_seed_004s_matrix() -> None:
    loaded = policy.load(preset="simple")
    rules = policy.compile_policy(loaded.policy)
    got = [
        (p.id, p.name.get("en"), int(p.first_response.total_seconds()), p.notify)
        for p in rules.priorities
    ]
    assert got == [
        ("P1", "Critical", 15 * 60, ("cto_founder",)),
        ("P2", "High", 2 * 3600, ("support_manager",)),
        ("P3", "Medium", 24 * 3600, ("support_agent",)),
        ("P4", "Low", 48 * 3600, ("support_agent",)),
    ]
    assert set(loaded.policy.teams) == {"cto_founder", "support_manager", "support_agent"}
    assert [m.display for m in rules.metrics if m.id == "csat"] == ["> 4.5/5"]


def test_simple_preset_tiers_are_agent_manager_product_team() -> None:
    tiers = [t.name.get("en") for t in policy.rulebook(preset="simple").tiers]
    assert tiers == ["Support Agent", "Support Manager", "Product/Service Team"]


@pytest.mark.parametrize(
    ("written", "shown"), [("80%", "80%"), ("80.0%", "80%"), ("12.5%", "12.5%")]
)
def test_a_percent_is_shown_as_written_without_trailing_zeros(written: str, shown: str) -> None:
    source = policy.loader.preset_path("cs-sop").read_text(encoding="utf-8")
    assert "    warn_at: 80%\n" in source
    loaded = policy.loader.load_text(
        source.replace("    warn_at: 80%\n", f"    warn_at: {written}\n")
    )
    dumped = loaded.policy.model_dump(mode="json", by_alias=True)
    assert dumped["priorities"]["P1"]["warn_at"] == shown
