"""The printed SOP opens with the checker's warnings (R-DOC-2, R-TIER-2): a routing rule that
breaks the IRON LAW is flagged in the document people sign, in both languages and layouts."""

from __future__ import annotations

import pytest

from tierdesk import policy, sop
from tierdesk.policy.loader import load_text

VIP = "routing:\n  - id: vip_fast_lane\n    when: {customer.vip: true}\n    tier: L3\n\n"


def _render(text: str, lang: str, fmt: str = "md") -> str:
    out = sop.render(load_text(text, "p.yaml"), fmt=fmt, lang=lang)
    assert isinstance(out, str)
    return out


@pytest.mark.rule("R-TIER-2")
@pytest.mark.rule("R-DOC-2")
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_an_iron_law_routing_rule_is_flagged_in_the_printed_sop(lang: str, fmt: str) -> None:
    base = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    clean, flagged = _render(base, lang, fmt), _render(VIP + base, lang, fmt)
    title = "Policy Checker Warnings" if lang == "en" else "政策檢查警告"
    assert title not in clean
    assert title in flagged
    head = flagged[: flagged.index(title) + 2000]
    assert "routing.0.when.customer.vip" in head and "R-TIER-2" in head
    # The box comes before the first section of the SOP itself.
    assert flagged.index(title) < flagged.index("vip_fast_lane")


@pytest.mark.rule("R-DOC-2")
def test_stored_findings_are_printed_as_given() -> None:
    base = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    stored = [
        {"file": "v3", "line": 7, "column": 1, "path": "qa", "severity": "warning",
         "message": "no QA checklist (R-QA-1)"},
    ]  # fmt: skip
    out = sop.render(load_text(base, "p.yaml"), fmt="md", lang="en", findings=stored)
    assert isinstance(out, str)
    assert "qa (line 7): no QA checklist (R-QA-1)" in out
    assert "Policy Checker Warnings" in out


@pytest.mark.parametrize("name", ["full-sop", "simple"])
def test_a_preset_with_warnings_prints_them(name: str) -> None:
    loaded = policy.load(preset=name)
    warned = [f for f in policy.check(loaded) if f.severity == "warning"]
    out = sop.render(loaded, fmt="md", lang="en")
    assert isinstance(out, str)
    for f in warned:
        assert f.message in out


@pytest.mark.rule("R-TIER-2")
@pytest.mark.rule("R-DOC-1")
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_a_routing_rule_that_reads_the_customer_is_printed_as_not_applied(lang: str) -> None:
    base = policy.preset_path("cs-sop").read_text(encoding="utf-8")
    ok = "routing:\n  - id: line_fast\n    when: {channel: line}\n    priority: P2\n\n"
    out = _render(VIP + base, lang)
    line = next(x for x in out.splitlines() if "vip_fast_lane" in x and x.startswith("- "))
    assert ("NOT APPLIED" in line) if lang == "en" else ("不執行" in line)
    assert "R-TIER-2" in line
    fine = _render(ok + base, lang)
    line = next(x for x in fine.splitlines() if "line_fast" in x and x.startswith("- "))
    assert "NOT APPLIED" not in line and "不執行" not in line
