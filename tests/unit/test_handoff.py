"""The warm-handoff brief (R-ESC-8): issue, what was tried, mood, promises, deadlines."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tierdesk import policy
from tierdesk.domain.errors import NaiveDatetimeError
from tierdesk.domain.handoff import brief, gist, sentiment
from tierdesk.domain.model import Signal
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.ticket import Entry, EntryKind, Ticket

RULES: Rulebook = policy.rulebook(preset="cs-sop")
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Taipei
MIN = timedelta(minutes=1)


def ticket(**changes: Any) -> Ticket:
    base = Ticket(
        id="T-9",
        category="returns_refunds",
        priority="P3",
        tier="L1",
        status="open",
        created_at=T0,
        tier_entered_at=T0,
        contact_count=2,
        signals=(Signal.REFUND_REQUEST,),
    )
    return dataclasses.replace(base, **changes)


def entry(minutes: int, kind: EntryKind, text: str, role: str = "agent_l1") -> Entry:
    return Entry(T0 + minutes * MIN, kind, text, "customer" if kind == "customer_message" else role)


HISTORY = [
    entry(
        0,
        EntryKind.CUSTOMER_MESSAGE,
        "My shoes arrived with a broken sole and I want a refund. Order 1234.",
    ),
    entry(2, EntryKind.SYSTEM, "Receipt sent", "system"),
    entry(4, EntryKind.PUBLIC_REPLY, "Sorry about that! Could you send a photo of the sole?"),
    entry(5, EntryKind.INTERNAL_NOTE, "Checked warehouse: batch 7 had sole defects."),
    entry(9, EntryKind.CUSTOMER_MESSAGE, "Photo attached. This is unacceptable, still waiting!"),
    entry(
        11,
        EntryKind.PUBLIC_REPLY,
        "Thanks for the photo. We will refund you in full by tomorrow. Anything else?",
    ),
]


@pytest.mark.rule("R-ESC-8")
def test_brief_states_the_issue_from_the_category_and_the_first_customer_message() -> None:
    b = brief(ticket(), HISTORY, T0 + 12 * MIN, RULES)
    assert b.issue == (
        "Returns and refunds: My shoes arrived with a broken sole and I want a refund."
    )
    assert b.priority == "P3 Medium"


@pytest.mark.rule("R-ESC-8")
def test_brief_lists_what_the_team_tried_replies_and_notes_not_system_entries() -> None:
    b = brief(ticket(), HISTORY, T0 + 12 * MIN, RULES)
    assert [(t.kind, t.gist[:20]) for t in b.tried] == [
        (EntryKind.PUBLIC_REPLY, "Sorry about that! Co"),
        (EntryKind.INTERNAL_NOTE, "Checked warehouse: b"),
        (EntryKind.PUBLIC_REPLY, "Thanks for the photo"),
    ]


@pytest.mark.rule("R-ESC-8")
def test_brief_reads_the_customers_mood_with_its_evidence() -> None:
    b = brief(ticket(), HISTORY, T0 + 12 * MIN, RULES)
    assert b.sentiment.mood == "negative"
    assert set(b.sentiment.evidence) == {"unacceptable", "still waiting"}


@pytest.mark.rule("R-ESC-8")
def test_brief_finds_promises_in_replies_and_keeps_recorded_ones() -> None:
    b = brief(ticket(promises=("Call back Tuesday 3 pm",)), HISTORY, T0 + 12 * MIN, RULES)
    assert [(p.text, p.at) for p in b.promises] == [
        ("Call back Tuesday 3 pm", None),
        ("We will refund you in full by tomorrow.", T0 + 11 * MIN),
    ]


@pytest.mark.rule("R-ESC-8")
def test_brief_marks_deadlines_overdue_or_due_in_at_now() -> None:
    now = T0 + 12 * MIN
    b = brief(
        ticket(),
        HISTORY,
        now,
        RULES,
        deadlines={"resolution": T0 + 40 * 60 * MIN, "first_response": T0 + 10 * MIN},
    )
    assert [(d.name, d.overdue) for d in b.deadlines] == [
        ("first_response", True),
        ("resolution", False),
    ]
    assert b.deadlines[0].left == -2 * MIN


@pytest.mark.rule("R-ESC-8")
def test_brief_ignores_what_happened_after_now() -> None:
    b = brief(ticket(), HISTORY, T0 + 6 * MIN, RULES)
    assert len(b.tried) == 2
    assert b.promises == ()
    assert b.sentiment.mood == "neutral"


@pytest.mark.rule("R-ESC-8")
def test_to_text_renders_every_part_compactly() -> None:
    text = brief(
        ticket(), HISTORY, T0 + 12 * MIN, RULES, deadlines={"first_response": T0 + 10 * MIN}
    ).to_text()
    lines = text.splitlines()
    assert lines[0] == "Handoff brief: ticket T-9 (P3 Medium, L1)"
    assert "Issue: Returns and refunds: My shoes arrived" in text
    assert "Customer mood: negative (unacceptable, still waiting)" in text
    assert "  - 03-02 10:11 reply (agent_l1): Thanks for the photo. We will refund" in text
    assert "  - We will refund you in full by tomorrow. (03-02 10:11)" in text
    assert "  - first_response: 03-02 10:10, overdue by 2 min" in text
    assert lines[-1] == "Contacts on this issue: 2; signals: refund_request"
    assert len(lines) < 15


@pytest.mark.rule("R-ESC-8")
def test_brief_in_traditional_chinese() -> None:
    history = [
        entry(0, EntryKind.CUSTOMER_MESSAGE, "我買的鞋子鞋底裂了，要退款。已經等了一週，很失望！"),
        entry(3, EntryKind.PUBLIC_REPLY, "非常抱歉造成您的困擾。我們會在今天內為您處理退款。"),
    ]
    b = brief(ticket(), history, T0 + 5 * MIN, RULES, lang="zh-TW")
    assert b.issue == "退貨退款: 我買的鞋子鞋底裂了，要退款。"
    assert b.sentiment.mood == "negative"
    assert b.sentiment.evidence == ("失望",)
    assert [p.text for p in b.promises] == ["我們會在今天內為您處理退款。"]
    text = b.to_text()
    assert "客戶情緒: 負面 (失望)" in text
    assert "P3 中" in text


@pytest.mark.parametrize(
    ("texts", "mood", "evidence"),
    [
        (["Thank you so much, that was really helpful!"], "positive", ("Thank you", "helpful")),
        (["I am not happy with this at all"], "negative", ("not happy",)),
        (["Thanks, but this is still not fixed"], "neutral", ("Thanks", "still not")),
        (["Please send the invoice again"], "neutral", ()),
        (["Worst service ever. Fed up."], "negative", ("Worst", "Fed up")),
        (["謝謝你們，問題解決了"], "positive", ("謝謝", "解決了")),
        (["我很不滿意，太扯了"], "negative", ("不滿意", "太扯")),
        (["今天不開心"], "negative", ("不開心",)),
        (["我不太滿意"], "negative", ("不太滿意",)),
    ],
)
def test_sentiment_lexicon_in_english_and_traditional_chinese(
    texts: list[str], mood: str, evidence: tuple[str, ...]
) -> None:
    s = sentiment(texts)
    assert (s.mood, s.evidence) == (mood, evidence)


def test_mood_reads_the_latest_customer_messages() -> None:
    early = [entry(i, EntryKind.CUSTOMER_MESSAGE, "This is terrible") for i in range(3)]
    later = [entry(10 + i, EntryKind.CUSTOMER_MESSAGE, "Thanks, great") for i in range(3)]
    b = brief(ticket(), early + later, T0 + 20 * MIN, RULES)
    assert b.sentiment.mood == "positive"


def test_gist_cuts_long_text_on_one_line() -> None:
    assert gist("Hi.\nMy order 55 never came and I need it for a wedding on Friday please") == (
        "Hi. My order 55 never came and I need it for a wedding on Friday please"
    )
    cut = gist("word " * 100, 30)
    assert len(cut) == 30 and cut.endswith("…")


def test_brief_without_customer_messages_falls_back_to_the_subject() -> None:
    b = brief(ticket(subject="Broken sole"), [], T0, RULES)
    assert b.issue == "Returns and refunds: Broken sole"
    assert b.to_json()["tried"] == []


def test_deadline_without_time_zone_is_refused_naming_it() -> None:
    with pytest.raises(NaiveDatetimeError) as err:
        brief(ticket(), [], T0, RULES, deadlines={"resolution": datetime(2026, 3, 3)})  # noqa: DTZ001
    assert err.value.data["field"] == "deadlines[resolution]"
