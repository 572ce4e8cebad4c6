"""The printed SOP as Markdown and HTML (R-DOC-1, R-DOC-2): structure, numbers, languages."""

from __future__ import annotations

import itertools
import re

import pytest

from tierdesk import policy, sop
from tierdesk.policy.compile import text as local_text
from tierdesk.policy.loader import LoadedPolicy, load_text
from tierdesk.sop.messages import messages

# Simplified-only forms that must never appear in zh-TW output (Traditional: 客戶, 層級 ...).
SIMPLIFIED = ("客户", "层级", "响应", "优先级", "升级", "质量", "满意度", "问题", "时间", "处理")
SIMPLIFIED_CHARS = "户层级响应优质满务规则时间问题决联议请设账单报处门个为这"


def preset_text(name: str) -> str:
    return policy.preset_path(name).read_text(encoding="utf-8")


def loaded_from(text: str) -> LoadedPolicy:
    loaded = load_text(text, "copy.yaml")
    assert [f for f in policy.check(loaded) if f.severity == "error"] == []
    return loaded


def md(name: str = "cs-sop", lang: str = "en", business: str | None = None) -> str:
    out = sop.render(policy.load(preset=name), fmt="md", lang=lang, business=business)
    assert isinstance(out, str)
    return out


def table_headers(text: str) -> list[str]:
    lines = text.splitlines()
    return [a for a, b in itertools.pairwise(lines) if re.fullmatch(r"\|(---\|)+", b)]


def table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header) + 2
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


@pytest.mark.rule("R-DOC-1")
def test_cs_sop_markdown_has_the_seed_output_format_in_order() -> None:
    text = md(business="Acme Taiwan")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:7] == [
        "# Customer Service SOP: Acme Taiwan",
        "## Support Tiers",
        "## SLA Targets",
        "## Top 10 Contact Reasons",
        "## Escalation Flowchart",
        "## Quality Metrics",
        "## Appendix: Rules the Helpdesk Enforces",  # every rule that runs (R-DOC-1)
    ]
    assert all(h.startswith("### ") for h in headings[7:])
    assert table_headers(text)[:5] == [
        "| Tier | Scope | Team Size | Tools |",
        "| Priority | First Response | Resolution | Escalation |",
        "| Channel | First Response |",  # the per-channel targets under SLA Targets (R-SLA-4)
        "| # | Reason | Volume % | Resolution | Template? |",
        "| Metric | Target |",
    ]


@pytest.mark.rule("R-DOC-1")
def test_the_business_name_comes_from_the_policy_unless_given() -> None:
    text = preset_text("cs-sop").replace("business: Example Co.", "business: Formosa Tea", 1)
    out = sop.render(loaded_from(text), fmt="md", lang="en")
    assert isinstance(out, str)
    assert out.startswith("# Customer Service SOP: Formosa Tea\n")
    assert md(business="Acme Taiwan").startswith("# Customer Service SOP: Acme Taiwan\n")


@pytest.mark.rule("R-SLA-1")
def test_sla_targets_print_each_duration_with_its_clock() -> None:
    rows = table_rows(md(), "| Priority | First Response | Resolution | Escalation |")
    assert rows[0] == ["P1 (Critical)", "15 min (24x7)", "4 h (24x7)", "L3 + Team Lead"]
    assert rows[1][:3] == ["P2 (High)", "1 h (business hours)", "24 h (business hours)"]
    assert "Asia/Taipei" in md()


def test_changing_a_target_in_the_policy_changes_the_document() -> None:
    text = preset_text("cs-sop")
    text = text.replace("first_response: 15m", "first_response: 20m", 1)
    text = text.replace('{id: fcr, target: "> 70%"}', '{id: fcr, target: "> 75%"}', 1)
    text = text.replace("team_size: 6", "team_size: 9", 1)
    out = sop.render(loaded_from(text), fmt="md", lang="en")
    assert isinstance(out, str)
    p1 = table_rows(out, "| Priority | First Response | Resolution | Escalation |")[0]
    assert p1[1] == "20 min (24x7)"
    assert ["First Contact Resolution", "> 75%"] in table_rows(out, "| Metric | Target |")
    assert table_rows(out, "| Tier | Scope | Team Size | Tools |")[0][2] == "9 people"


def test_team_size_auto_is_printed_as_sized_by_erlang_c() -> None:
    text = preset_text("cs-sop").replace("team_size: 6", "team_size: auto", 1)
    out = sop.render(loaded_from(text), fmt="md", lang="en")
    assert isinstance(out, str)
    assert table_rows(out, "| Tier | Scope | Team Size | Tools |")[0][2] == "auto (Erlang C)"


@pytest.mark.rule("R-MET-2")
def test_top_reasons_are_the_ten_largest_expected_shares_with_tier_and_template() -> None:
    loaded = policy.load(preset="cs-sop")
    cats = loaded.policy.categories.values()
    expected = sorted((c for c in cats if c.expected_share), key=lambda c: -(c.expected_share or 0))
    rows = table_rows(md(), "| # | Reason | Volume % | Resolution | Template? |")
    assert [r[0] for r in rows] == [str(i) for i in range(1, 11)]
    assert [r[1] for r in rows] == [local_text(c.label).get("en") for c in expected[:10]]
    assert [r[3] for r in rows] == [c.tier for c in expected[:10]]
    assert [r[4] for r in rows] == ["Y" if c.template else "N" for c in expected[:10]]
    shares = [float(r[2].rstrip("%")) for r in rows]
    assert shares == sorted(shares, reverse=True)


def test_the_flowchart_is_a_mermaid_tree_of_the_rules_in_order() -> None:
    text = md()
    chart = text[text.index("```mermaid") : text.index("```", text.index("```mermaid") + 3)]
    assert "flowchart TD" in chart
    questions = re.findall(r'q\d+\{"(.+?)"\}', chart)
    assert len(questions) == 5
    assert "15 min" in questions[0]
    assert "supervisor" in questions[1]
    assert "NT$500" in questions[2]
    assert "egal threat" in questions[3]
    assert "#3" in questions[4]
    assert chart.count('-->|"No"|') == 5


def test_reordering_rules_in_the_policy_reorders_the_flowchart() -> None:
    text = preset_text("cs-sop")
    head, _, rest = text.partition("  rules:\n")
    rules, sep, tail = rest.partition("\n# [R-AUTH-1]")
    blocks = ["    - id:" + b for b in rules.split("    - id:") if b.strip()]
    swapped = head + "  rules:\n" + "".join(reversed(blocks)) + sep + tail
    out = sop.render(loaded_from(swapped), fmt="md", lang="en")
    assert isinstance(out, str)
    first = re.search(r'q1\{"(.+?)"\}', out)
    assert first is not None and "#3" in first.group(1)


@pytest.mark.parametrize("name", policy.PRESETS)
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_every_preset_renders_in_both_languages(name: str, lang: str, fmt: str) -> None:
    out = sop.render(policy.load(preset=name), fmt=fmt, lang=lang, business="Acme Taiwan")
    assert isinstance(out, str)
    assert "Acme Taiwan" in out
    assert "{" + "business}" not in out


@pytest.mark.parametrize("name", policy.PRESETS)
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_zh_tw_output_uses_traditional_chinese_only(name: str, fmt: str) -> None:
    out = sop.render(policy.load(preset=name), fmt=fmt, lang="zh-TW")
    assert isinstance(out, str)
    found = [w for w in SIMPLIFIED if w in out] + [c for c in SIMPLIFIED_CHARS if c in out]
    assert found == []


def test_zh_tw_cs_sop_headings_and_headers_are_translated() -> None:
    text = md(lang="zh-TW", business="Acme Taiwan")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[:7] == [
        "# 客戶服務標準作業程序：Acme Taiwan",
        "## 支援層級",
        "## SLA 目標",
        "## 十大諮詢原因",
        "## 升級流程圖",
        "## 品質指標",
        "## 附錄：系統執行的規則",
    ]
    assert "| 優先等級 | 首次回覆 | 解決時間 | 通報對象 |" in table_headers(text)
    p1 = table_rows(text, "| 優先等級 | 首次回覆 | 解決時間 | 通報對象 |")[0]
    assert p1[:2] == ["P1（緊急）", "15 分鐘（全天候）"]


def test_both_languages_have_the_same_message_keys() -> None:
    assert messages("en").keys() == messages("zh-TW").keys()


def test_the_default_language_is_the_policys() -> None:
    out = sop.render(policy.load(preset="cs-sop"), fmt="md")  # cs-sop is a zh-TW policy
    assert isinstance(out, str)
    assert out.startswith("# 客戶服務標準作業程序")


@pytest.mark.rule("R-DOC-2")
def test_full_sop_prints_every_section_of_seed_003_in_order() -> None:
    text = md("full-sop")
    chapters = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert chapters == [
        "1. Purpose",
        "2. Scope",
        "3. Definitions",
        "4. Responsibilities",
        "5. General Procedures",
        "6. Customer Satisfaction Metrics",
        "7. Escalation Decision Matrix",
        "8. Service Recovery Protocol",
        "9. Quality Assurance Checklist",
        "10. Emergency and Exception Procedures",
        "11. Related Information",
        "12. Document Control",
        "13. Revision History",
        "14. Authorization and Approval",
        "15. Documentation of Training",
        "Appendix: Rules the Helpdesk Enforces",
    ]
    subs = [line[4:] for line in text.splitlines() if line.startswith("### ")]
    assert subs[:3] == [
        "5.1 Initial Customer Contact",
        "5.2 Issue Resolution Process",
        "5.3 Communication Standards",
    ]
    assert "10.1 Emergency Response" in subs
    assert "10.2 Exception Handling" in subs


@pytest.mark.rule("R-MET-1")
def test_full_sop_metrics_table_has_blank_current_trend_and_action_columns() -> None:
    header = "| Metric | Target | Current | Trend | Action Required |"
    rows = table_rows(md("full-sop"), header)
    assert rows[0] == ["First Call Resolution (FCR)", "> 85%", "", "", ""]
    assert ["Average Handle Time (AHT)", "< 8 min", "", "", ""] in rows
    assert ["Service Level (calls)", "> 80% answered in 1 min", "", "", ""] in rows
    assert all(r[2:] == ["", "", ""] for r in rows)


@pytest.mark.rule("R-ESC-6")
def test_full_sop_escalation_matrix_prints_bands_from_the_policy() -> None:
    text = preset_text("full-sop").replace(
        "{min: 100, max: 500, role: team_lead}", "{min: 100, max: 600, role: team_lead}", 1
    )
    text = text.replace(
        "{min: 500, max: 1000, role: supervisor}", "{min: 600, max: 1000, role: supervisor}", 1
    )
    out = sop.render(loaded_from(text), fmt="md", lang="en")
    assert isinstance(out, str)
    rows = table_rows(out, "| Issue type | L1 agent | Team Lead | Supervisor | Manager |")
    assert rows[0] == ["Billing Dispute", "< $100", "$100–$600", "$600–$1,000", "≥ $1,000"]
    assert rows[2][-1] == "Social media exposure"


@pytest.mark.rule("R-AUTH-2")
def test_full_sop_recovery_authority_table_is_actions_by_role() -> None:
    header = "| Recovery Action | L1 agent | L2 agent | Team Lead | Supervisor | Manager |"
    rows = {r[0]: r[1:] for r in table_rows(md("full-sop"), header)}
    assert rows["Sincere apology"] == ["Yes"] * 5
    assert rows["Discount"] == ["No", "No", "Up to 15%", "Up to 25%", "Up to 100%"]
    assert rows["Full refund"] == ["No", "No", "No", "Yes", "Yes"]
    assert rows["Complimentary product/service"] == [
        "No",
        "No",
        "Up to $50",
        "Up to $200",
        "Unlimited",
    ]
    assert rows["Refund"][0] == "Up to $20"


@pytest.mark.rule("R-QA-1")
def test_full_sop_qa_checklist_has_a_check_box_per_item() -> None:
    rows = table_rows(md("full-sop"), "| Item | Completed | Notes |")
    assert len(rows) == 10
    assert all(r[1] == "☐" for r in rows)


@pytest.mark.rule("R-DOC-3")
def test_full_sop_prints_document_control_and_blank_sign_off_lines() -> None:
    text = md("full-sop")
    assert "| SOP Owner | Customer Service Manager |" in text
    assert "| Approved By | Director of Customer Experience |" in text
    assert "version 1.0 of this Standard Operating Procedure" in text
    signatures = table_rows(text, "| Printed Name | Signature | Date |")
    assert len(signatures) >= 5
    assert all(cells == ["", "", ""] for cells in signatures)


def test_a_full_sop_without_a_matrix_prints_its_triggers_instead() -> None:
    chapters = [line for line in md("simple").splitlines() if line.startswith("## ")]
    assert any(c.endswith("Escalation Triggers") for c in chapters)
    assert not any("Matrix" in c for c in chapters)


def test_html_is_a_standalone_printable_page() -> None:
    html = sop.render(policy.load(preset="cs-sop"), fmt="html", lang="zh-TW")
    assert isinstance(html, str)
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-Hant-TW">' in html
    assert "@page" in html and "A4" in html
    assert '"Noto Sans CJK TC", "Noto Sans TC", sans-serif' in html
    assert "<svg" in html and "</svg>" in html
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)\s*=", html)
    assert "mermaid" not in html


def test_html_escapes_policy_text() -> None:
    hostile = '<script>alert("x")</script> & Co'
    html = sop.render(policy.load(preset="full-sop"), fmt="html", business=hostile)
    assert isinstance(html, str)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp; Co" in html


def test_markdown_escapes_policy_text() -> None:
    text = md(business="Acme *Best* [Shop] <b>")
    assert text.splitlines()[0] == "# Customer Service SOP: Acme \\*Best\\* \\[Shop\\] \\<b>"


@pytest.mark.parametrize(
    ("kwargs", "word"), [({"fmt": "docx"}, "format"), ({"lang": "fr"}, "language")]
)
def test_unknown_format_or_language_is_refused(kwargs: dict[str, str], word: str) -> None:
    with pytest.raises(sop.SopRenderError, match=word):
        sop.render(policy.load(preset="cs-sop"), **kwargs)  # type: ignore[arg-type]


def test_live_data_fills_top_reasons_and_the_metrics_current_trend_and_action() -> None:
    from datetime import date

    from tierdesk.sop.live import LiveData, LiveMetric, LiveReason

    live = LiveData(
        date(2026, 11, 1),
        date(2026, 12, 1),
        {
            "fcr": LiveMetric(0.6, "percent", -0.05, True),
            "aht": LiveMetric(420.0, "seconds", None, False),
        },
        (LiveReason("billing_payment", "Billing", 0.4, "L2", True),),
    )
    loaded = policy.load(preset="cs-sop")
    en = sop.render(loaded, fmt="md", lang="en", live=live)
    assert isinstance(en, str)
    assert "| First Contact Resolution | > 70% | 60% | Down 5% | Yes |" in en
    assert "| 7 min | — | No |" in en
    assert "| 1 | Payment failure / billing dispute | 40% | L2 | Y |" in en
    zh = sop.render(loaded, fmt="md", lang="zh-TW", live=live)
    assert isinstance(zh, str)
    assert "| 60% | 下降 5% | 是 |" in zh


@pytest.mark.rule("R-SLA-4")
@pytest.mark.parametrize("name", ["cs-sop", "full-sop"])
def test_the_channel_targets_are_printed_with_their_clock(name: str) -> None:
    en = md(name, "en")
    assert table_rows(en, "| Channel | First Response |") == [["LINE", "5 min (business hours)"]]
    assert "earlier of its priority's due time and its channel's" in en
    zh = md(name, "zh-TW")
    assert table_rows(zh, "| 管道 | 首次回覆 |") == [["LINE", "5 分鐘（營業時間）"]]
    text = preset_text(name).replace("first_response: 5m", "first_response: 3m", 1)
    out = sop.render(loaded_from(text), fmt="md", lang="en")
    assert isinstance(out, str)
    assert table_rows(out, "| Channel | First Response |") == [["LINE", "3 min (business hours)"]]
    plain = preset_text("simple")
    assert "| Channel | First Response |" not in md("simple") and "\nchannels:" not in plain
