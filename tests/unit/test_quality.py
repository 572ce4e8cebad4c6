"""QA scoring of conversations written for it (R-QA-1, R-TPL-1, R-TPL-2): good and bad, en and
zh-TW, against the cs-sop checklist and its LAST framework (HEARD from full-sop)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tierdesk.domain.quality import Conversation, Message, score
from tierdesk.domain.rulebook import Rulebook
from tierdesk.policy import rulebook

T0 = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules() -> Rulebook:
    return rulebook(preset="cs-sop")


@pytest.fixture(scope="module")
def full() -> Rulebook:
    return rulebook(preset="full-sop")


def convo(lang: str, *replies: str, unedited: bool = False, **kw: object) -> Conversation:
    msgs = [Message("customer", "My parcel is late and I am upset.", T0)]
    msgs += [
        Message("reply", body, T0 + timedelta(minutes=10 * (i + 1)), template_unedited=unedited)
        for i, body in enumerate(replies)
    ]
    return Conversation(lang, msgs, names=("Example Co.", "Amy"), **kw)  # type: ignore[arg-type]


GOOD_EN = (
    "Hi Mei, this is Amy from Example Co. I'm so sorry your parcel is late, I understand how "
    "frustrating that is. We will send a replacement by courier within 2 business days. "
    "Thank you for letting us know. Is there anything else I can help with?"
)
BAD_EN = "Your parcel is delayed. Wait."
GOOD_ZH = (
    "您好，我是 Example Co. 的 Amy。很抱歉您的包裹延誤了，理解您的心情。"
    "我們會在 2 個工作天內為您寄出替換品。感謝您告訴我們。請問還有什麼其他需要協助的嗎？"
)
BAD_ZH = "包裹延誤。請等。"


@pytest.mark.rule("R-QA-1")
@pytest.mark.parametrize("lang, text", [("en", GOOD_EN), ("zh-TW", GOOD_ZH)])
def test_a_good_reply_passes_each_readable_item_with_its_evidence(
    rules: Rulebook, lang: str, text: str
) -> None:
    r = score(convo(lang, text, resolved=True, first_response_met=True), rules.qa_checklist)
    for item in ("greeting", "accurate_solution", "tone", "closing", "resolved_or_escalated"):
        assert r.item(item).passed is True, (item, r.item(item))
    assert "Amy" in r.item("greeting").evidence
    assert ("2 business days" in r.item("accurate_solution").evidence) or (
        "2 個工作天" in r.item("accurate_solution").evidence
    )
    assert r.item("documentation").passed is None  # left to the QA specialist
    assert r.score == pytest.approx(1.0)


@pytest.mark.rule("R-QA-1")
@pytest.mark.parametrize("lang, text", [("en", BAD_EN), ("zh-TW", BAD_ZH)])
def test_a_curt_reply_fails_with_reasons(rules: Rulebook, lang: str, text: str) -> None:
    r = score(convo(lang, text, first_response_met=False), rules.qa_checklist)
    for item in ("greeting", "accurate_solution", "tone", "closing", "resolved_or_escalated"):
        assert r.item(item).passed is False and r.item(item).reason, item
    assert r.item("first_response").passed is False
    assert r.score == pytest.approx(0.0)


@pytest.mark.parametrize(
    "lang, text, shown",
    [
        (
            "en",
            "Thank you for your patience, the refund is on its way.",
            "Thank you for your patience",
        ),
        ("zh-TW", "謝謝您的耐心等候，退款已在處理中。", "耐心等候"),
        ("zh-TW", "感謝您的耐心，退款已在處理中。", "您的耐心"),
    ],
)
def test_thanking_for_patience_is_empathy(
    rules: Rulebook, lang: str, text: str, shown: str
) -> None:
    tone = score(convo(lang, text), rules.qa_checklist).item("tone")
    assert tone.passed is True and shown in tone.evidence, tone
    curt = score(
        convo(lang, "退款已在處理中。" if lang != "en" else "Refund sent."), rules.qa_checklist
    )
    assert curt.item("tone").passed is False


@pytest.mark.rule("R-PROC-2")
def test_identity_must_be_verified_before_an_account_action(rules: Rulebook) -> None:
    late = convo("en", GOOD_EN, account_action_at=T0, identity_verified_at=T0 + timedelta(hours=1))
    ok = convo("en", GOOD_EN, account_action_at=T0 + timedelta(hours=1), identity_verified_at=T0)
    assert score(late, rules.qa_checklist).item("identity_verified").passed is False
    assert score(ok, rules.qa_checklist).item("identity_verified").passed is True
    assert score(convo("en", GOOD_EN), rules.qa_checklist).item("identity_verified").passed is None


@pytest.mark.rule("R-TPL-2")
@pytest.mark.parametrize("lang, text", [("en", GOOD_EN), ("zh-TW", GOOD_ZH)])
def test_a_complaint_reply_covers_every_last_step(rules: Rulebook, lang: str, text: str) -> None:
    frameworks = rules.frameworks_for("general_complaint")
    r = score(convo(lang, text, complaint=True), rules.qa_checklist, frameworks)
    steps = {s.step: s for s in r.framework_coverage}
    assert set(steps) == {"Listen", "Apologize", "Solve", "Thank"}
    assert all(s.covered and s.evidence for s in steps.values()), steps


@pytest.mark.rule("R-TPL-2")
@pytest.mark.parametrize("lang, text", [("en", BAD_EN), ("zh-TW", BAD_ZH)])
def test_a_curt_complaint_reply_misses_the_last_steps(
    rules: Rulebook, lang: str, text: str
) -> None:
    frameworks = rules.frameworks_for("general_complaint")
    r = score(convo(lang, text, complaint=True), rules.qa_checklist, frameworks)
    assert [s.step for s in r.framework_coverage if not s.covered] == [
        "Listen",
        "Apologize",
        "Solve",
        "Thank",
    ]


@pytest.mark.rule("R-TPL-2")
def test_heard_needs_a_diagnosis_of_how_to_prevent_it_again(full: Rulebook) -> None:
    heard = [f for f in full.frameworks if f.id == "HEARD"]
    without = score(convo("en", GOOD_EN, complaint=True), full.qa_checklist, heard)
    missing = [s.step for s in without.framework_coverage if not s.covered]
    assert missing == ["Diagnose"]
    fixed = GOOD_EN + " We have changed couriers to prevent this from happening again."
    assert all(
        s.covered
        for s in score(
            convo("en", fixed, complaint=True), full.qa_checklist, heard
        ).framework_coverage
    )


@pytest.mark.rule("R-TPL-1")
def test_replies_sent_as_unedited_templates_are_flagged(rules: Rulebook) -> None:
    r = score(convo("en", GOOD_EN, unedited=True), rules.qa_checklist)
    assert r.unedited_templates == ("Hi Mei, this is Amy from Example Co.",)
    assert score(convo("en", GOOD_EN), rules.qa_checklist).unedited_templates == ()


def test_frameworks_are_not_applied_to_other_tickets(rules: Rulebook) -> None:
    frameworks = rules.frameworks_for("general_complaint")
    assert score(convo("en", GOOD_EN), rules.qa_checklist, frameworks).framework_coverage == ()


@pytest.mark.rule("R-TPL-2")
@pytest.mark.parametrize(
    "lang, text, step",
    [
        ("en", "I’ve replaced the blender.", "Solve"),
        ("en", "We've credited your card.", "Solve"),
        ("en", "Thanks for bringing this to our attention.", "Thank"),
        ("en", "Thank you for raising it.", "Thank"),
        ("zh-TW", "感謝您反映這件事。", "Thank"),
        ("zh-TW", "謝謝您讓我們知道。", "Thank"),
    ],
)
def test_the_last_cues_read_common_phrasings(
    rules: Rulebook, lang: str, text: str, step: str
) -> None:
    frameworks = rules.frameworks_for("general_complaint")
    r = score(convo(lang, text, complaint=True), rules.qa_checklist, frameworks)
    covered = {s.step: s.evidence for s in r.framework_coverage if s.covered}
    assert covered == {step: text}
