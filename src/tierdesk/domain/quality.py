"""QA scoring of a conversation (R-QA-1, R-TPL-1, R-TPL-2): pure, standard library only.

`score(conversation, checklist, frameworks)` checks each policy QA item that can be read from
the conversation itself and gives the sentence that shows it (the evidence), in English and
Traditional Chinese:

- `greeting`: an agent reply greets and names the company or the agent;
- `identity_verified`: identity was recorded as verified before any account action;
- `accurate_solution`: a concrete action with a timeline ("we will refund ... within 3 days");
- `tone`: an apology or an empathetic phrase;
- `closing`: the offer of more help;
- `first_response`: the first response was within its SLA target;
- `resolved_or_escalated`: the ticket was resolved, or escalated with a follow-up time.

Items the text cannot show (documentation, privacy, AHT adherence, active listening ...) are
`None`: left to the QA specialist, who may also override any item with a comment. On
complaints the LAST / HEARD steps are checked the same way (`framework_coverage`), and every
reply sent as an unedited template is flagged (R-TPL-1). Cue phrases are matched as written
(case-insensitive), so a reviewer can see why an item passed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tierdesk.domain.rulebook import ComplaintFramework, QaItem

# Cue phrases per kind and language. A reviewer reads the evidence sentence, not these lists.
CUES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "greet": {
        "en": (
            r"\bhi\b",
            r"\bhello\b",
            r"\bdear\b",
            r"\bgood (morning|afternoon|evening)\b",
            r"\bthank you for contacting\b",
        ),
        "zh-TW": ("您好", "你好", "感謝您的來信", "感謝您聯繫"),
    },
    "self": {
        "en": (
            r"\bmy name is\b",
            r"\bthis is \w+",
            r"\bi am \w+ (from|at|with)\b",
            r"\bi['’]m \w+ (from|at|with)\b",
        ),
        "zh-TW": ("我是", "敝姓", "我叫"),
    },
    "apology": {
        "en": (r"\bsorry\b", r"\bapologi[sz]e", r"\bapologies\b"),
        "zh-TW": ("抱歉", "對不起", "致歉", "不好意思"),
    },
    "empathy": {
        "en": (
            r"\bi understand\b",
            r"\bi can imagine\b",
            r"\bfrustrat",
            r"\bi hear you\b",
            r"\bthat must\b",
            r"\b(thank you|thanks) for (your|bearing with us and your) patience\b",
        ),
        "zh-TW": (
            "理解您",
            "了解您",
            "明白您",
            "造成您的困擾",
            "感到不便",
            "耐心等候",
            "耐心等待",
            "您的耐心",
        ),
    },
    "listen": {
        "en": (
            r"\byou (mentioned|said|wrote)\b",
            r"\bif i understand\b",
            r"\bto confirm\b",
            r"\bi understand\b",
            r"\bthank you for (explaining|the details)\b",
        ),
        "zh-TW": ("您提到", "您說", "跟您確認", "了解您的情況", "理解您"),
    },
    "action": {
        "en": (
            r"\bwe will\b",
            r"\bwe['’]ll\b",
            r"\bi will\b",
            r"\bi['’]ll\b",
            r"\b(i|we) have (sent|issued|arranged|refunded|escalated|replaced|credited)\b",
            r"\b(i|we)['’]ve (sent|issued|arranged|refunded|escalated|replaced|credited|done)\b",
        ),
        "zh-TW": ("我們會", "我們將", "我會", "已為您", "將為您", "已經為您"),
    },
    "timeline": {
        "en": (
            r"\bwithin \d+",
            r"\bby (monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|today|\d)",
            r"\b\d+ (business )?(minutes?|hours?|days?)\b",
            r"\bbefore \d",
            r"\btoday\b",
            r"\btomorrow\b",
        ),
        "zh-TW": (
            r"\d+\s*(個)?(分鐘|小時|工作天|天|日)",
            "今天",
            "明天",
            "週[一二三四五六日]",
            r"\d+\s*月\s*\d+\s*日",
            "之前",
        ),
    },
    "more_help": {
        "en": (
            r"\banything else\b",
            r"\bother questions\b",
            r"\bfurther (help|assistance|questions)\b",
            r"\blet (me|us) know\b",
            r"\bhappy to help\b",
        ),
        "zh-TW": ("其他問題", "其他需要", "隨時與我們聯繫", "隨時告訴我們", "還有什麼"),
    },
    "thanks": {
        "en": (
            r"\bthank you for (bringing|letting|telling|your patience|reporting|raising)\b",
            r"\bthanks for (bringing|letting|telling|your patience|reporting|raising)\b",
        ),
        "zh-TW": (
            "感謝您告訴",
            "謝謝您告訴",
            "感謝您的耐心",
            "謝謝您的耐心",
            "感謝您的回報",
            "謝謝您的回報",
            "感謝您反映",
            "謝謝您反映",
            "感謝您讓我們知道",
            "謝謝您讓我們知道",
        ),
    },
    "diagnose": {
        "en": (
            r"\bprevent\b",
            r"\broot cause\b",
            r"\bso (this|it) (does not|doesn['’]t|won['’]t) happen again\b",
            r"\bmake sure (this|it) (does not|doesn['’]t|won['’]t)\b",
        ),
        "zh-TW": ("避免再次", "防止", "根本原因", "不再發生"),
    },
}

# Which cue kinds show each LAST / HEARD step (by the step key, as the policy names it).
STEP_CUES: Mapping[str, tuple[str, ...]] = {
    "listen": ("listen", "empathy"),
    "hear": ("listen", "empathy"),
    "apologize": ("apology",),
    "empathize": ("empathy",),
    "solve": ("action",),
    "resolve": ("action",),
    "thank": ("thanks",),
    "diagnose": ("diagnose",),
}

# A sentence ends at ! ? 。！？, a line break, or a full stop before a capital or the end ("Co."
# inside a Chinese sentence does not end it).
_END = re.compile(r"(?<=[!?。！？\n])|(?<=\.)(?=\s+[A-Z]|\s*$)")


@dataclass(frozen=True)
class Message:
    """One message of the conversation: `kind` customer, reply or note."""

    kind: str
    body: str
    at: datetime
    template_unedited: bool = False


@dataclass(frozen=True)
class Conversation:
    """What QA reads of one ticket. `names` are the company's and the agents' names (a
    greeting must carry one); `account_action_at` the first account action (refund, change),
    if any; `first_response_met` whether the first response was within its SLA (None: not
    due yet); `follow_up` whether an escalation told the customer when to expect an answer."""

    language: str
    messages: Sequence[Message]
    names: Sequence[str] = ()
    complaint: bool = False
    identity_verified_at: datetime | None = None
    account_action_at: datetime | None = None
    first_response_met: bool | None = None
    resolved: bool = False
    follow_up: bool = False


@dataclass(frozen=True)
class ItemScore:
    """One checklist item: passed (None: not scored from the text), the evidence sentence,
    and why."""

    id: str
    passed: bool | None
    evidence: str = ""
    reason: str = ""


@dataclass(frozen=True)
class StepCoverage:
    framework: str
    step: str
    covered: bool
    evidence: str = ""


@dataclass(frozen=True)
class QaResult:
    items: tuple[ItemScore, ...]
    score: float | None  # weighted share of scored items passed, 0-1
    framework_coverage: tuple[StepCoverage, ...] = ()
    unedited_templates: tuple[str, ...] = field(default=())  # first sentence of each

    def item(self, item_id: str) -> ItemScore:
        return next(i for i in self.items if i.id == item_id)


def sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    return [s.strip() for s in _END.split(text) if s.strip()]


def find(kind: str, language: str, texts: Sequence[str]) -> str:
    """The first sentence of `texts` holding a cue of `kind` in `language` ('' if none)."""
    cues = CUES[kind].get(language) or CUES[kind]["en"]
    pattern = re.compile("|".join(f"(?:{c})" for c in cues), re.IGNORECASE)
    for text in texts:
        for sentence in sentences(text):
            if pattern.search(sentence):
                return sentence
    return ""


def _with_names(sentence_list: list[str], names: Sequence[str]) -> str:
    for s in sentence_list:
        if any(n and n.lower() in s.lower() for n in names):
            return s
    return ""


def _greeting(c: Conversation, replies: list[str]) -> ItemScore:
    first = replies[:1]
    hello = find("greet", c.language, first)
    named = _with_names(sentences(first[0]), c.names) if first else ""
    intro = named or find("self", c.language, first)
    if hello and intro:
        return ItemScore("greeting", True, f"{hello} {intro}" if hello != intro else hello)
    missing = "a greeting" if not hello else "the company or agent name"
    return ItemScore("greeting", False, hello or intro, f"the first reply lacks {missing}")


def _identity(c: Conversation) -> ItemScore:
    if c.account_action_at is None:
        return ItemScore("identity_verified", None, "", "no account action")
    ok = c.identity_verified_at is not None and c.identity_verified_at <= c.account_action_at
    reason = "" if ok else "the account action came before identity was verified"
    return ItemScore("identity_verified", ok, "", reason)


def _found(item_id: str, text: str, missing: str) -> ItemScore:
    return ItemScore(item_id, bool(text), text, "" if text else missing)


def _solution(c: Conversation, replies: list[str]) -> ItemScore:
    for reply in replies:
        for s in sentences(reply):
            if find("action", c.language, [s]) and find("timeline", c.language, [s]):
                return ItemScore("accurate_solution", True, s)
    return ItemScore("accurate_solution", False, "", "no concrete action with a timeline")


def _checks(c: Conversation, replies: list[str]) -> dict[str, ItemScore]:
    lang = c.language
    tone = find("apology", lang, replies) or find("empathy", lang, replies)
    sla = c.first_response_met
    return {
        "greeting": _greeting(c, replies),
        "identity_verified": _identity(c),
        "accurate_solution": _solution(c, replies),
        "tone": _found("tone", tone, "no apology or empathy"),
        "closing": _found(
            "closing", find("more_help", lang, replies[-1:]), "no offer of more help"
        ),
        "first_response": ItemScore(
            "first_response", sla, "", "" if sla is not False else "first response missed its SLA"
        ),
        "resolved_or_escalated": ItemScore(
            "resolved_or_escalated",
            c.resolved or c.follow_up,
            "",
            "" if c.resolved or c.follow_up else "neither resolved nor escalated with a follow-up",
        ),
    }


def coverage(
    c: Conversation, replies: list[str], frameworks: Sequence[ComplaintFramework]
) -> tuple[StepCoverage, ...]:
    """Each step of each framework, with the sentence that covers it (R-TPL-2)."""
    out = []
    for fw in frameworks:
        for key, _text in fw.steps:
            kinds = STEP_CUES.get(key.lower(), ())
            evidence = next((e for k in kinds if (e := find(k, c.language, replies))), "")
            out.append(StepCoverage(fw.id, key, bool(evidence), evidence))
    return tuple(out)


def score(
    c: Conversation,
    checklist: Sequence[QaItem],
    frameworks: Sequence[ComplaintFramework] = (),
) -> QaResult:
    """Score `c` against the policy's `checklist` (see the module doc). The frameworks are
    checked on complaints only."""
    replies = [m.body for m in c.messages if m.kind == "reply"]
    checks = _checks(c, replies)
    items = []
    for q in checklist:
        found = checks.get(q.id)
        items.append(found or ItemScore(q.id, None, "", "scored by a QA specialist"))
    if "first_response" not in {q.id for q in checklist}:
        items.append(checks["first_response"])
    weights = {q.id: q.weight for q in checklist}
    scored = [(i, weights.get(i.id, 1.0)) for i in items if i.passed is not None]
    total = sum(w for _, w in scored)
    value = sum(w for i, w in scored if i.passed) / total if total else None
    unedited = tuple(
        (sentences(m.body) or [m.body])[0]
        for m in c.messages
        if m.kind == "reply" and m.template_unedited
    )
    return QaResult(
        tuple(items),
        value,
        coverage(c, replies, frameworks) if c.complaint else (),
        unedited,
    )
