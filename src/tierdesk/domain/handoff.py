"""The warm-handoff brief (R-ESC-8): the receiving tier reads it instead of asking the customer.

`brief(ticket, history, now, rules, lang, deadlines)` gathers, from the ticket and its history:
- the issue: the category's label and the gist of the customer's first message;
- what was tried: the staff's public replies and internal notes, oldest first;
- the customer's mood: a small lexicon scorer (English and Traditional Chinese) over the last
  three customer messages, negative / neutral / positive, with the words that decided it (a
  negator just before a word flips it: "not happy", "不開心");
- promises made: sentences of staff replies that commit to something ("I will", "we'll", "by
  tomorrow", "within 2 hours", "我們會", "將於", "明天前") and the promises recorded on the ticket;
- deadlines: the due times the caller passes in (SLA clocks, escalation deadlines), each marked
  overdue or with the time left at `now`.
`HandoffBrief.to_text()` renders it compactly in English or zh-TW. Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tierdesk.domain.durations import spoken, to_minute
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.sla import level_of
from tierdesk.domain.ticket import CUSTOMER, Entry, EntryKind, Ticket, until, utc

Mood = Literal["negative", "neutral", "positive"]

# Lexicons: weight -> words and phrases (comma separated). Strong words weigh 2.
_EN_SPEC: dict[int, str] = {
    -2: "unacceptable, furious, outrageous, worst, scam, disgusting, pathetic, incompetent, hate, "
    "livid, fed up, never again, waste of time, sick of, last straw",
    -1: "terrible, awful, horrible, angry, frustrated, frustrating, disappointed, disappointing, "
    "upset, annoyed, annoying, useless, ridiculous, rude, unhappy, poor, bad, worse, "
    "still waiting, still not, no one, nobody, once again",
    1: "thanks, thank you, great, appreciate, appreciated, helpful, happy, perfect, awesome, love, "
    "glad, satisfied, well done, works now",
    2: "excellent, amazing, wonderful, fantastic",
}
_ZH_SPEC: dict[int, str] = {
    -2: "憤怒, 爛透了, 氣死, 垃圾, 騙子, 受不了, 離譜, 再也不, 太扯, 不爽",
    -1: "生氣, 失望, 不滿, 不滿意, 很差, 太差, 糟糕, 誇張, 無言, 傻眼, 浪費時間, 一直沒有, "
    "還是沒有, 到底, 爛, 不好, 不開心",
    1: "謝謝, 感謝, 感恩, 很好, 滿意, 棒, 讚, 開心, 辛苦了, 專業, 好用, 解決了",
    2: "非常感謝, 太好了, 幫大忙",
}


def _lexicon(spec: Mapping[int, str]) -> dict[str, int]:
    return {w.strip(): weight for weight, words in spec.items() for w in words.split(",")}


_EN = _lexicon(_EN_SPEC)
_ZH = _lexicon(_ZH_SPEC)
_EN_WORDS = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(_EN, key=len, reverse=True)) + r")\b", re.I
)
_ZH_WORDS = re.compile("|".join(re.escape(w) for w in sorted(_ZH, key=len, reverse=True)))
_EN_NEGATOR = re.compile(r"\b(not|never|no|hardly|isn't|wasn't|aren't|don't|didn't)\s+(\w+\s+)?$")
_ZH_NEGATOR = re.compile(r"(不|沒|沒有|不太|不是很)$")
_MOOD_WINDOW = 3  # customer messages read for the mood: the latest ones say how they feel now

_PROMISE = re.compile(
    r"\b(i|we)\s+(will|shall)\b|\b(i|we)['’]ll\b|\bby (tomorrow|tonight|today|the end of|end of|"
    r"eod|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\bwithin \d+\s*(minutes?|hours?|days?|business days?)\b|\bpromise\b|"
    r"我們會|我會|將於|將在|會在|明天前|今天內|保證|承諾|\d+\s*(分鐘|小時|天|個工作天)內",
    re.I,
)
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*|\n+")
_GIST = 160  # characters of the issue's gist
_TRIED = 200  # characters of each thing tried


@dataclass(frozen=True)
class Sentiment:
    """The customer's mood: `score` is the sum of word weights, `evidence` the words."""

    mood: Mood
    score: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Tried:
    """One thing the team did: a public reply or an internal note."""

    at: datetime
    kind: EntryKind
    author_role: str
    gist: str


@dataclass(frozen=True)
class Promise:
    """A commitment made to the customer; `at` is None for one recorded on the ticket."""

    text: str
    at: datetime | None


@dataclass(frozen=True)
class Deadline:
    """A due time the receiving tier must meet; `left` is negative once it is overdue."""

    name: str
    due_at: datetime
    left: timedelta

    @property
    def overdue(self) -> bool:
        return self.left < timedelta(0)


@dataclass(frozen=True)
class HandoffBrief:
    """What the receiving tier needs so that the customer never repeats the story (R-ESC-8)."""

    ticket_id: str
    category: str
    priority: str
    tier: str
    issue: str
    tried: tuple[Tried, ...]
    sentiment: Sentiment
    promises: tuple[Promise, ...]
    deadlines: tuple[Deadline, ...]
    contact_count: int
    signals: tuple[str, ...]
    timezone: str
    lang: str = "en"
    reason: str = ""
    agent_mood: str = ""
    granted: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # whom the ticket is escalated to (tiers, teams, roles)

    def to_text(self) -> str:
        """A compact brief, in `lang`, times in the business's time zone."""
        w = _WORDS.get(self.lang, _WORDS["en"])
        lines = [
            f"{w['title']} {self.ticket_id} ({self.priority}, {self.tier})",
            f"{w['issue']}: {self.issue}",
            *([f"{w['reason']}: {self.reason}"] if self.reason else []),
            *([f"{w['to']}: {', '.join(self.targets)}"] if self.targets else []),
            f"{w['mood']}: {self._mood(w)}",
            f"{w['tried']}:" + ("" if self.tried else f" {w['none']}"),
            *(
                f"  - {self._at(t.at)} {w[t.kind.value]} ({t.author_role}): {t.gist}"
                for t in self.tried
            ),
            f"{w['promises']}:" + ("" if self.promises else f" {w['none']}"),
            *(f"  - {p.text}" + (f" ({self._at(p.at)})" if p.at else "") for p in self.promises),
            f"{w['granted']}:" + ("" if self.granted else f" {w['none']}"),
            *(f"  - {g}" for g in self.granted),
            f"{w['pending']}:" + ("" if self.pending else f" {w['none']}"),
            *(f"  - {p}" for p in self.pending),
            f"{w['deadlines']}:" + ("" if self.deadlines else f" {w['none']}"),
            *(f"  - {d.name}: {self._at(d.due_at)}, {self._left(d, w)}" for d in self.deadlines),
            f"{w['contacts']}: {self.contact_count}"
            + (f"; {w['signals']}: {', '.join(self.signals)}" if self.signals else ""),
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The brief as JSON-able data (times ISO 8601 UTC)."""
        return {
            "ticket_id": self.ticket_id,
            "category": self.category,
            "priority": self.priority,
            "tier": self.tier,
            "issue": self.issue,
            "tried": [
                {"at": t.at.isoformat(), "kind": t.kind.value, "by": t.author_role, "gist": t.gist}
                for t in self.tried
            ],
            "sentiment": {
                "mood": self.sentiment.mood,
                "score": self.sentiment.score,
                "evidence": list(self.sentiment.evidence),
            },
            "promises": [
                {"text": p.text, "at": p.at.isoformat() if p.at else None} for p in self.promises
            ],
            "deadlines": [
                {"name": d.name, "due_at": d.due_at.isoformat(), "overdue": d.overdue}
                for d in self.deadlines
            ],
            "contact_count": self.contact_count,
            "signals": list(self.signals),
            "reason": self.reason,
            "agent_mood": self.agent_mood or None,
            "granted": list(self.granted),
            "pending_approvals": list(self.pending),
            "targets": list(self.targets),
        }

    def _mood(self, w: Mapping[str, str]) -> str:
        read = w[self.sentiment.mood] + (
            f" ({', '.join(self.sentiment.evidence)})" if self.sentiment.evidence else ""
        )
        if not self.agent_mood:
            return read
        return f"{self.agent_mood} ({w['by_agent']}; {w['from_messages']}: {read})"

    def _at(self, when: datetime) -> str:
        return when.astimezone(ZoneInfo(self.timezone)).strftime("%m-%d %H:%M")

    def _left(self, d: Deadline, w: Mapping[str, str]) -> str:
        """Time left (or overdue) to the minute, as people say it."""
        left = abs(d.left)
        minutes = max(to_minute(left), timedelta(minutes=1))
        if d.overdue:
            return f"{w['overdue']} {spoken(minutes, self.lang)}"
        return f"{w['left']} {spoken(minutes, self.lang)}"


_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Handoff brief: ticket",
        "issue": "Issue",
        "mood": "Customer mood",
        "tried": "Tried so far",
        "promises": "Promises made",
        "deadlines": "Deadlines",
        "contacts": "Contacts on this issue",
        "signals": "signals",
        "none": "none",
        "negative": "negative",
        "neutral": "neutral",
        "positive": "positive",
        "public_reply": "reply",
        "internal_note": "note",
        "overdue": "overdue by",
        "left": "due in",
        "reason": "Escalation reason",
        "to": "Escalated to",
        "granted": "Granted so far",
        "pending": "Pending approvals",
        "by_agent": "as the agent judged it",
        "from_messages": "read from the messages",
    },
    "zh-TW": {
        "title": "交接摘要：案件",
        "issue": "問題",
        "mood": "客戶情緒",
        "tried": "已嘗試",
        "promises": "已做承諾",
        "deadlines": "期限",
        "contacts": "同一問題聯繫次數",
        "signals": "訊號",
        "none": "無",
        "negative": "負面",
        "neutral": "中性",
        "positive": "正面",
        "public_reply": "回覆",
        "internal_note": "備註",
        "overdue": "已逾期",
        "left": "剩餘",
        "reason": "升級原因",
        "to": "升級至",
        "granted": "已給予",
        "pending": "待核准",
        "by_agent": "客服人員判斷",
        "from_messages": "訊息判讀",
    },
}


def brief(
    ticket: Ticket,
    history: Sequence[Entry],
    now: datetime,
    rules: Rulebook,
    lang: str = "en",
    deadlines: Mapping[str, datetime] | None = None,
    *,
    reason: str = "",
    agent_mood: str = "",
    granted: Sequence[str] = (),
    pending: Sequence[str] = (),
    targets: Sequence[str] = (),
) -> HandoffBrief:
    """The warm-handoff brief of `ticket` at `now` (aware), labels in `lang` (en, zh-TW).

    `deadlines` maps a name (first_response, resolution, R-ESC-2 ...) to a due time; the caller
    computes them (SLA clocks, escalations), so this stays pure. Entries after `now` are ignored.
    `reason` is why the ticket is escalated, `agent_mood` the mood as the agent judged it (it
    stands beside the one read from the messages), `granted` what the customer has received on
    this issue and `pending` the approvals waiting, each as the receiving tier should read it;
    `targets` whom it is escalated to.
    """
    at = utc(now, "now")
    entries = until(history, at)
    customer = [e for e in entries if e.kind == EntryKind.CUSTOMER_MESSAGE]
    category = next((c for c in rules.categories if c.id == ticket.category), None)
    label = category.label.get(lang) if category is not None else ticket.category
    first = customer[0].text if customer else ticket.subject
    level = level_of(rules, ticket.priority)
    due = [_deadline(name, when, at) for name, when in (deadlines or {}).items()]
    return HandoffBrief(
        ticket_id=ticket.id,
        category=label,
        priority=f"{level.id} {level.name.get(lang)}",
        tier=ticket.tier,
        issue=f"{label}: {gist(first)}" if first.strip() else label,
        tried=tuple(
            Tried(e.at, e.kind, e.author_role, clip(e.text, _TRIED)) for e in entries if e.by_staff
        ),
        sentiment=sentiment([e.text for e in customer[-_MOOD_WINDOW:]]),
        promises=_promises(ticket, entries),
        deadlines=tuple(sorted(due, key=lambda d: d.due_at)),
        contact_count=ticket.contact_count,
        signals=tuple(s.value for s in ticket.signals),
        timezone=rules.calendar(level.clock).timezone,
        lang=lang if lang in _WORDS else "en",
        reason=reason.strip(),
        agent_mood=agent_mood.strip(),
        granted=tuple(granted),
        pending=tuple(pending),
        targets=tuple(dict.fromkeys(targets)),
    )


def _deadline(name: str, when: datetime, now: datetime) -> Deadline:
    due_at = utc(when, f"deadlines[{name}]")
    return Deadline(name, due_at, due_at - now)


def gist(text: str, limit: int = _GIST) -> str:
    """The first sentence of `text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    first = next((s for s in _SENTENCE.split(text) if s and s.strip()), flat)
    out = " ".join(first.split())
    if len(out) < len(flat) and len(out) < 12:  # "Hi." alone says nothing: take more
        out = flat
    return clip(out, limit)


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut at `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def sentiment(texts: Sequence[str]) -> Sentiment:
    """The mood of `texts` (customer messages) by the en and zh-TW lexicons."""
    score, evidence = 0, []
    for text in texts:
        for word, weight in _scored(text):
            score += weight
            if word not in evidence:
                evidence.append(word)
    mood: Mood = "negative" if score < 0 else "positive" if score > 0 else "neutral"
    return Sentiment(mood, score, tuple(evidence))


def _scored(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for m in _EN_WORDS.finditer(text):
        word, weight = m.group(0), _EN[m.group(0).lower()]
        negated = _EN_NEGATOR.search(text[max(0, m.start() - 25) : m.start()].lower())
        if negated and weight > 0:  # "not happy"; "not bad" is left alone: rarely praise
            word, weight = f"{negated.group(0).strip()} {word}", -weight
        out.append((word, weight))
    for m in _ZH_WORDS.finditer(text):
        word, weight = m.group(0), _ZH[m.group(0)]
        negated = _ZH_NEGATOR.search(text[max(0, m.start() - 4) : m.start()])
        if negated and weight > 0:
            word, weight = negated.group(0) + word, -weight
        out.append((word, weight))
    return out


def _promises(ticket: Ticket, entries: Sequence[Entry]) -> tuple[Promise, ...]:
    """Each promise once: the ones the agent recorded, then those found in replies that say
    nothing a recorded one (or an earlier reply) does not already say."""
    found: list[Promise] = []
    keys: list[str] = []

    def add(text: str, at: datetime | None) -> None:
        key = _promise_key(text)
        if not key or any(key in k or k in key for k in keys):
            return
        keys.append(key)
        found.append(Promise(" ".join(text.split()), at))

    for p in ticket.promises:
        add(p, None)
    for e in entries:
        if e.kind != EntryKind.PUBLIC_REPLY or e.author_role == CUSTOMER:
            continue
        for sentence in _SENTENCE.split(e.text):
            if sentence and _PROMISE.search(sentence):
                add(sentence, e.at)
    return tuple(found)


def _promise_key(text: str) -> str:
    """A promise's words, to tell "an update by Friday" from "We'll send an update by Friday."."""
    words = re.sub(r"[^\w]+", " ", text.casefold()).split()
    return " ".join(w for w in words if w not in _FILLER)


_FILLER = frozenset({"i", "we", "will", "ll", "shall", "you", "your", "the", "a", "an", "to"})
