"""The printed SOP shows every rule the helpdesk runs (R-DOC-1, R-DOC-2): each routing rule,
escalation rule, authority row, calendar (closed dates by date) and template of each preset and
of each policy under tests/data/policies/, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierdesk import policy, sop
from tierdesk.policy import compile_policy
from tierdesk.policy.loader import LoadedPolicy, load_text

DATA = Path(__file__).parents[1] / "data" / "policies"
SOURCES = {
    **{name: policy.preset_path(name).read_text(encoding="utf-8") for name in policy.PRESETS},
    **{p.stem: p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.yaml"))},
}
VIP = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"


def _with_extras(text: str) -> str:
    """The policy with a VIP routing rule and typhoon days, where it has a business calendar."""
    text = VIP + text if "\nrouting:" not in text and not text.startswith("routing:") else text
    return text.replace("closed: []", "closed: [2026-09-03, 2026-08-01]", 1)


def _md(loaded: LoadedPolicy, lang: str) -> str:
    out = sop.render(loaded, fmt="md", lang=lang)
    assert isinstance(out, str)
    return out


@pytest.mark.rule("R-DOC-1")
@pytest.mark.rule("R-DOC-2")
@pytest.mark.parametrize("name", sorted(SOURCES))
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_every_rule_that_runs_is_printed(name: str, lang: str) -> None:
    loaded = load_text(_with_extras(SOURCES[name]), f"{name}.yaml")
    rules = compile_policy(loaded.policy)
    text = _md(loaded, lang)
    missing = [
        *(f"routing {r.id}" for r in rules.routing_rules if r.id not in text),
        *(f"escalation {r.id}" for r in rules.escalation_rules if f"{r.id}:" not in text),
        *(f"template {t.id}" for t in rules.templates if t.name.get(lang) not in text),
        *(f"calendar {c.name}" for c in rules.calendars if c.timezone not in text),
        *(f"notification {r.id}" for r in rules.notifications.rules if f"| {r.id} |" not in text),
    ]
    for cal in loaded.policy.calendars.values():
        missing += [f"closed {d}" for d in cal.closed if d.isoformat() not in text]
    assert "extra dates" not in text and "個休息日" not in text
    assert missing == [], missing
    authority = text[text.index("| " + ("Recovery Action" if lang == "en" else "補救措施")) :]
    rows = [line for line in authority.splitlines() if line.startswith("| ")][2:]
    assert len(rows) >= len(rules.authority.actions)


@pytest.mark.rule("R-TIER-2")
def test_a_routing_rule_changes_the_printed_sop() -> None:
    plain = load_text(SOURCES["cs-sop"], "cs-sop.yaml")
    vip = load_text(VIP + SOURCES["cs-sop"], "vip.yaml")
    with_rule, without = _md(vip, "en"), _md(plain, "en")
    assert with_rule != without
    assert "vip_fast_lane: when customer.vip = true, route to L3" in with_rule
