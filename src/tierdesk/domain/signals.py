"""Phrase matching for triage: normalization, compiled phrase sets, negation. Pure.

A policy lists detection phrases per language: plain phrases, or regular expressions with a `re:`
prefix. All phrases of all languages are tried on every text (customers in Taiwan mix languages).
Matching runs on a normalized text: NFKC (full-width letters, digits and `＄` become ASCII), lower
case, curly apostrophes straightened.

Plain phrases: an English phrase matches whole words, with common endings allowed ("crash" matches
"crashes", "crashed"; not "crashpad"); spaces match any run of white space; a CJK phrase matches
anywhere. Regular expressions run with ASCII word boundaries (`\\b` then works next to CJK text).

A match is dropped when it is negated:
- a generic negation cue stands shortly before it in the same clause ("I don't need to talk to a
  manager", 不用找主管): not, don't, doesn't, no need, never, no longer, won't, wouldn't, no
  intention of; 不用, 不需要, 不必, 沒有要, 不想, 無須, 不是要, 不會, 不打算, 無意;
- or one of the rule's own negation phrases overlaps it or ends just before it in the same clause
  ("my lawyer friend recommended you", "what is your refund policy").
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import islice
from typing import Any

REGEX_PREFIX = "re:"
MATCHES_PER_PHRASE = 4  # matches of one phrase looked at in one text
_FLAGS = re.IGNORECASE | re.ASCII
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n，。！？；、：]|\b(?:but|although|however)\b|但是|可是|不過")
_EN_CUE = re.compile(
    r"(?<![a-z'])(?:not|don'?t|do not|doesn'?t|does not|no need(?: to| for)?|never|no longer"
    r"|won'?t|will not|wouldn'?t|would not|no intention of|no plans? to|not planning to)"
    r"(?![a-z'])"
)
_EN_CUE_GAP = 2  # words allowed between a cue and the match
# Words that start a new clause between a cue and a match: "is not fixed, I want a manager".
_EN_BREAK_WORDS = frozenset({"i", "you", "we", "they", "he", "she", "and", "so", "if", "then"})
# A CJK cue may end inside the match ("不需要退款" matches "要退款").
# "還沒有" is "not yet", not a negation.
_ZH_CUE = re.compile(
    r"不用|不需要|不必|沒有要|沒要|(?<![還尚都])沒有|不想|不要|無須|無需|不是要|沒必要"
    r"|不會(?![用動操弄設講說])|不打算|沒打算|無意|並沒有要"
)
_ZH_CUE_GAP = 2  # CJK characters allowed between a cue and the match
_CUE_WINDOW = 40  # characters before a match searched for a generic cue
_NEGATION_REACH = 12  # a rule's negation phrase may end this many characters before a match
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


@dataclass(frozen=True)
class Normalized:
    """A text prepared for matching, with the way back to the words as the customer wrote them."""

    text: str
    source: str
    index: tuple[int, ...] | None = None  # normalized position -> source position; None: same

    def source_span(self, start: int, end: int) -> str:
        """The source text behind `text[start:end]`."""
        if self.index is None:
            return self.source[start:end]
        if start >= len(self.index):
            return ""
        last = self.index[end - 1] + 1 if end > start else self.index[start]
        return self.source[self.index[start] : last]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_APOSTROPHES)


def normalize(text: str) -> Normalized:
    """NFKC, lower case, straight apostrophes; keeps a map to the source when lengths differ."""
    folded = _fold(text)
    if len(folded) == len(text):
        return Normalized(folded, text)
    parts: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = _fold(ch)
        parts.append(f)
        index.extend([i] * len(f))
    return Normalized("".join(parts), text, tuple(index))


def weight(matched: str) -> int:
    """Specificity of a matched text: characters, CJK counted twice (one CJK character says
    about as much as a short English word)."""
    return len(matched) + sum(1 for ch in matched if ord(ch) > 0x2E80)


def phrase_pattern(phrase: str) -> str:
    """The regular expression for one policy phrase (see the module docstring)."""
    if phrase.startswith(REGEX_PREFIX):
        return phrase[len(REGEX_PREFIX) :]
    folded = _fold(phrase.strip())
    body = r"\s+".join(re.escape(w) for w in folded.split())
    if folded[:1].isascii() and folded[:1].isalnum():
        body = r"(?<![a-z0-9])" + body
    if folded[-1:].isascii() and folded[-1:].isalnum():
        body += r"(?:s|es|ed|d|ing)?(?![a-z0-9])"
    return body


@dataclass(frozen=True)
class Hit:
    """One match of a phrase: the phrase as the policy wrote it and where it matched."""

    phrase: str
    start: int
    end: int
    matched: str  # the normalized text matched
    weight: int = 0  # specificity of `matched` (see `weight`); filled in by the constructor

    def __post_init__(self) -> None:
        if not self.weight:
            object.__setattr__(self, "weight", weight(self.matched))


def _literal_parser() -> Any:
    try:
        return importlib.import_module("re._parser")
    except ImportError:  # pragma: no cover - a Python without it only loses the prefilter
        return None


_SRE = _literal_parser()
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


_MAX_EXACT = 48  # cap on the strings a run of fixed-text pieces may expand to


def _key(lits: frozenset[str]) -> tuple[int, int]:
    """How selective a literal set is: longest shortest member, then fewest members."""
    return (min(map(len, lits)), -len(lits))


def _selective(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if b is None or "" in b:
        return a
    if a is None:
        return b
    return a if _key(a) >= _key(b) else b


def _exact(items: Any) -> frozenset[str] | None:
    """The strings a parsed sequence matches when it can only match fixed text, else None."""
    out = frozenset({""})
    for op, av in items:
        name = str(op)
        piece: frozenset[str] | None = None
        if name == "LITERAL":
            piece = frozenset({chr(av).lower()})
        elif name == "IN" and all(str(o) == "LITERAL" for o, _ in av):
            piece = frozenset(chr(c).lower() for _, c in av)
        elif name == "SUBPATTERN":
            piece = _exact(av[3])
        elif name == "BRANCH":
            branches = [_exact(b) for b in av[1]]
            if all(x is not None for x in branches):
                piece = frozenset().union(*(x for x in branches if x is not None))
        elif name in _REPEATS and av[0] == 0 and av[1] == 1:
            inner = _exact(av[2])
            piece = None if inner is None else inner | {""}
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            piece = frozenset({""})  # zero-width: matches no text
        if piece is None or len(out) * len(piece) > _MAX_EXACT:
            return None
        out = frozenset(x + y for x in out for y in piece)
    return out


def _needs(items: Any) -> frozenset[str] | None:
    """Strings one of which every match of a parsed regex sequence contains (None: unknown).

    Conservative: anything not understood contributes nothing, so a regex is never skipped
    when it could match.
    """
    best: frozenset[str] | None = None
    run = frozenset({""})
    for item in items:
        piece = _exact([item])
        if piece is not None and len(run) * len(piece) <= _MAX_EXACT:
            best = _selective(best, run)
            run = frozenset(x + y for x in run for y in piece)
            continue
        best = _selective(best, run)
        run = frozenset({""}) if piece is None else piece
        if piece is None:
            best = _selective(best, _inner_needs(item))
    return _selective(best, run)


def _inner_needs(item: Any) -> frozenset[str] | None:
    op, av = item
    name = str(op)
    if name == "SUBPATTERN":
        return _needs(av[3])
    if name == "ATOMIC_GROUP":
        return _needs(av)
    if name in _REPEATS and av[0] >= 1:
        return _needs(av[2])
    if name == "BRANCH":
        branches = [_needs(b) for b in av[1]]
        if all(x is not None for x in branches):
            return frozenset().union(*(x for x in branches if x is not None))
    return None


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings one of which every match of `pattern` contains, or None when that is unknown.

    Used only to skip regular expressions that cannot match; reads the pattern with the
    standard library's own regex parser (a private module: without it nothing is skipped).
    """
    if _SRE is None:
        return None
    try:
        return _needs(_SRE.parse(pattern, _FLAGS))
    except Exception:  # any surprise from a private parser: simply do not prefilter
        return None


class LiteralIndex:
    """Finds which of many key words occur in a text, in one pass over the text.

    Built once per Rulebook from every phrase set, so that a text is read once for all of
    them: a phrase's expression then runs only when one of its key words is present. The key
    words form one Aho-Corasick automaton: reading a text is one dictionary step per
    character, whatever the number of key words, and every key word ending at a character
    (those inside longer ones too) is known at that state.
    """

    def __init__(self, literals: Iterable[str]) -> None:
        goto: list[dict[str, int]] = [{}]
        ends: list[set[str]] = [set()]
        for word in sorted({lit for lit in literals if lit}):
            state = 0
            for ch in word:
                nxt = goto[state].get(ch)
                if nxt is None:
                    nxt = len(goto)
                    goto[state][ch] = nxt
                    goto.append({})
                    ends.append(set())
                state = nxt
            ends[state].add(word)
        fail = [0] * len(goto)
        queue = list(goto[0].values())
        for state in queue:  # breadth first: a state's fail link is shorter, so already done
            for ch, nxt in goto[state].items():
                queue.append(nxt)
                back = fail[state]
                while back and ch not in goto[back]:
                    back = fail[back]
                fail[nxt] = goto[back].get(ch, 0) if goto[back].get(ch, 0) != nxt else 0
                ends[nxt] |= ends[fail[nxt]]
        self._goto = goto
        self._fail = fail
        self._ends = [frozenset(e) for e in ends]

    def present(self, text: str) -> frozenset[str]:
        """The indexed key words that occur in `text`."""
        goto, fail, ends = self._goto, self._fail, self._ends
        state = 0
        hit: set[int] = set()
        for ch in text:
            step = goto[state].get(ch)
            while step is None and state:
                state = fail[state]
                step = goto[state].get(ch)
            state = step or 0
            if ends[state]:
                hit.add(state)
        if not hit:
            return frozenset()
        return frozenset().union(*(ends[s] for s in hit))


class PhraseSet:
    """Phrases compiled once, each to its own regular expression, behind a key-word prefilter.

    `literals` are the key words of all phrases (a phrase whose key words cannot be worked out
    always runs). Given the key words present in a text, only the phrases that could match run.
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        self.phrases = tuple(phrases)
        # (phrase, its expression, its key words); the expression is its source after unpickling
        self._entries: list[tuple[str, re.Pattern[str] | str, frozenset[str] | None]] = []
        for phrase in self.phrases:
            pattern = phrase_pattern(phrase)
            try:
                compiled = re.compile(pattern, _FLAGS)
            except re.error as exc:
                raise ValueError(f"phrase {phrase!r}: bad regular expression: {exc}") from exc
            self._entries.append((phrase, compiled, required_literals(pattern)))
        self.literals = frozenset(lit for _, _, lits in self._entries if lits for lit in lits)
        self._always = tuple(i for i, (_, _, lits) in enumerate(self._entries) if lits is None)
        self.always = bool(self._always)
        by_lit: dict[str, list[int]] = {}
        for i, (_, _, lits) in enumerate(self._entries):
            for lit in lits or ():
                by_lit.setdefault(lit, []).append(i)
        self._by_lit = {lit: tuple(ix) for lit, ix in by_lit.items()}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (the command line's compiled-policy cache) with each expression as its
        source: an unpickled set compiles an expression when a text first needs it, instead of
        all of them at once. They were checked when the set was built."""
        state = dict(self.__dict__)
        state["_entries"] = [
            (phrase, c if isinstance(c, str) else c.pattern, lits)
            for phrase, c, lits in self._entries
        ]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def _pattern(self, i: int) -> re.Pattern[str]:
        phrase, pattern, lits = self._entries[i]
        if isinstance(pattern, str):  # unpickled: compiled on first use
            pattern = re.compile(pattern, _FLAGS)
            self._entries[i] = (phrase, pattern, lits)
        return pattern

    def finditer(self, text: str, present: AbstractSet[str] | None = None) -> list[Hit]:
        """Every match in normalized `text`, by position (longest first at one position).

        `present`: the key words in the text (from a `LiteralIndex` holding `literals`);
        None works them out here.
        """
        if present is None:
            present = {lit for lit in self.literals if lit in text}
        keys = self.literals & present
        if not keys and not self._always:
            return []
        run = set(self._always)
        for lit in keys:
            run.update(self._by_lit[lit])
        hits: list[Hit] = []
        for i in sorted(run):
            phrase, pattern = self._entries[i][0], self._pattern(i)
            # A long email repeats itself: a few matches per phrase are enough to find one that
            # no negation cancels, and bound the work.
            hits.extend(
                Hit(phrase, m.start(), m.end(), m.group(0))
                for m in islice(pattern.finditer(text), MATCHES_PER_PHRASE)
                if m.end() > m.start()
            )
        hits.sort(key=lambda h: (h.start, -h.weight))
        return hits


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - _CUE_WINDOW) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


def negation_cue(text: str, start: int) -> str | None:
    """The generic negation cue governing a match at `start`, or None."""
    origin = start - len(_clause_before(text, start))
    # A cue may overlap the match: "no need to refund" matches from "need".
    for m in _EN_CUE.finditer(text, origin, min(len(text), start + 12)):
        if m.start() >= start:
            break
        gap = text[m.end() : start].split()
        if m.end() >= start or (len(gap) <= _EN_CUE_GAP and not set(gap) & _EN_BREAK_WORDS):
            return m.group(0)
    for z in _ZH_CUE.finditer(text, origin, min(len(text), start + 2)):
        if z.start() < start and start - z.end() <= _ZH_CUE_GAP:
            return z.group(0)
    return None


@dataclass(frozen=True)
class Scan:
    """What a rule found in a text: the live hits and the ones a negation cancelled."""

    hits: tuple[Hit, ...]
    negated: tuple[tuple[Hit, str], ...]  # (hit, the cue or negation phrase that cancelled it)


class Matcher:
    """A rule's phrases plus its own negation phrases, compiled once."""

    def __init__(self, phrases: Sequence[str], negations: Sequence[str] = ()) -> None:
        self.phrases = PhraseSet(phrases)
        self.negations = PhraseSet(negations) if negations else None
        self.literals = self.phrases.literals | (
            self.negations.literals if self.negations is not None else frozenset()
        )

    def may_match(self, present: AbstractSet[str]) -> bool:
        """False when none of the phrases can match a text holding only `present` key words."""
        return self.phrases.always or not self.phrases.literals.isdisjoint(present)

    def negation_in(self, text: str, present: AbstractSet[str] | None = None) -> bool:
        """Whether any of the rule's own negation phrases occurs in `text` ("refund policy")."""
        return self.negations is not None and bool(self.negations.finditer(text, present))

    def scan(self, text: str, present: AbstractSet[str] | None = None) -> Scan:
        """Hits in normalized `text`, negated ones set apart. `present`: see PhraseSet."""
        found = self.phrases.finditer(text, present)
        if not found:
            return Scan((), ())
        negs = self.negations.finditer(text, present) if self.negations is not None else []
        hits: list[Hit] = []
        negated: list[tuple[Hit, str]] = []
        for hit in found:
            by = _cancelled_by(text, hit, negs)
            if by is None:
                hits.append(hit)
            else:
                negated.append((hit, by))
        return Scan(tuple(hits), tuple(negated))


def _cancelled_by(text: str, hit: Hit, negations: list[Hit]) -> str | None:
    for neg in negations:
        if neg.start < hit.end and hit.start < neg.end:
            return neg.matched
        gap = text[neg.end : hit.start]
        if (
            0 <= len(gap) <= _NEGATION_REACH
            and neg.end <= hit.start
            and not _CLAUSE_BREAK.search(gap)
        ):
            return neg.matched
    return negation_cue(text, hit.start)


def detect_language(text: str) -> str:
    """ "zh-TW" when a fifth or more of the letters are CJK, else "en" (a rough, cheap guess)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    cjk = sum(1 for ch in letters if ord(ch) > 0x2E80)
    return "zh-TW" if cjk * 5 >= len(letters) else "en"


_EN_ORDINALS = {
    "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "twice": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_ZH_COUNTS = {
    "二": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_STATED_COUNT = re.compile(
    r"(?<![a-z])(?P<en>" + "|".join(_EN_ORDINALS) + r")(?![a-z])"
    r"|(?P<num>\d+)(?:st|nd|rd|th)?(?![\d])"
    r"|(?P<zh>[二兩三四五六七八九十])(?:次|遍|度|回)"
)


def stated_contact_count(words: str) -> int | None:
    """The contact number named in normalized `words` that say the customer has been in touch
    before ("the third time I'm writing": 3, 第四次來電: 4, "emailed twice": 2); None when
    they name none ("many times", 好幾次)."""
    m = _STATED_COUNT.search(words)
    if m is None:
        return None
    if m.group("en"):
        return _EN_ORDINALS[m.group("en")]
    if m.group("num"):
        return int(m.group("num"))
    return _ZH_COUNTS[m.group("zh")]
