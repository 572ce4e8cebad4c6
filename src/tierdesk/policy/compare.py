"""What a policy change changes: the semantic difference of two validated policies.

Both policies are compared as their schema sees them, never as text: comments, key order,
quoting, flow or block style and the spelling of a value (`24h` or `1d`, `80%` or `0.8`, `500` or
`500.0`) are not changes, and a default counts as the value that applies. Values are reported as
`model_dump(mode="json")` writes them.

Paths are dotted keys (`priorities.P2.first_response`); an item of a list of mappings is
`list[ID]` when the items carry an id (`escalation.rules[R-ESC-2].timeline`), else
`list[INDEX]`. A list of plain values (phrases, notify, ladder) is compared as a collection: one
`added` or `removed` per item at the list's path, plus one `changed` when the items kept are in
another order (`old` and `new` are then the kept items, or ids, in their old and new order).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from tierdesk.policy.schema import Policy, Strict

Kind = Literal["changed", "added", "removed"]
# Keys that name an item of a list of mappings, by preference (QA items, metrics, rules, matrix
# rows and levels have `id`; framework steps `key`; definitions `term`; revisions `version`).
ITEM_KEYS: tuple[str, ...] = ("id", "key", "term", "version")


@dataclass(frozen=True)
class Change:
    """One difference. `old` is None for `added`, `new` is None for `removed`."""

    path: str
    kind: Kind
    old: Any = None
    new: Any = None


@dataclass(frozen=True)
class _Leaf:
    """A value as written out (`out`, JSON) and as compared (`value`, the validated Python value:
    Decimal, timedelta, date ...); so `80%` and `80.0%` are equal while a version "1.0" is not
    "1.00"."""

    out: Any
    value: Any

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Leaf)
            and type(self.value) is type(other.value)
            and self.value == other.value
        )

    def __hash__(self) -> int:
        return hash(self.value)


def compare(old: Policy, new: Policy) -> list[Change]:
    """Every semantic difference from `old` to `new`, ordered by path."""
    changes = list(_walk("", _tree(old), _tree(new)))
    return sorted(changes, key=lambda c: c.path)


def _tree(policy: Policy) -> Any:
    return _merge(policy.model_dump(mode="json", by_alias=True), _values(policy))


def _values(node: Any) -> Any:
    """The validated values themselves (Decimal, timedelta, date), shaped like the JSON dump:
    the serializers would turn 80% and 80.0% into different text."""
    if isinstance(node, Strict):
        fields = type(node).model_fields.items()
        return {f.alias or name: _values(getattr(node, name)) for name, f in fields}
    if isinstance(node, dict):
        return {k: _values(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_values(v) for v in node]
    return node


def _merge(out: Any, value: Any) -> Any:
    if isinstance(out, dict):
        return {k: _merge(o, v) for (k, o), v in zip(out.items(), value.values(), strict=True)}
    if isinstance(out, list):
        return [_merge(o, v) for o, v in zip(out, value, strict=True)]
    return _Leaf(out, value)


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node.out if isinstance(node, _Leaf) else node


def _absent(node: Any) -> bool:
    return node is None or (isinstance(node, _Leaf) and node.value is None)


def _walk(path: str, old: Any, new: Any) -> Iterator[Change]:
    if _absent(old) and _absent(new):
        return
    if _absent(old):
        yield Change(path, "added", None, _plain(new))
    elif _absent(new):
        yield Change(path, "removed", _plain(old), None)
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from _walk(f"{path}.{key}" if path else key, old.get(key), new.get(key))
    elif isinstance(old, list) and isinstance(new, list):
        yield from _walk_list(path, old, new)
    elif old != new:
        yield Change(path, "changed", _plain(old), _plain(new))


def _walk_list(path: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    if all(isinstance(v, _Leaf) for v in [*old, *new]):
        yield from _collection(path, old, new)
        return
    key = _item_key(old, new)
    if key is None:
        for i in range(max(len(old), len(new))):
            yield from _walk(f"{path}[{i}]", _at(old, i), _at(new, i))
        return
    olds = {item[key].out: item for item in old}
    news = {item[key].out: item for item in new}
    kept_old, kept_new = [k for k in olds if k in news], [k for k in news if k in olds]
    if kept_old != kept_new:
        yield Change(path, "changed", kept_old, kept_new)
    for ident in [*olds, *(k for k in news if k not in olds)]:
        yield from _walk(f"{path}[{ident}]", olds.get(ident), news.get(ident))


def _collection(path: str, old: list[_Leaf], new: list[_Leaf]) -> Iterator[Change]:
    removed, added = Counter(old) - Counter(new), Counter(new) - Counter(old)
    kept_old, kept_new = _without(old, removed), _without(new, added)
    if kept_old != kept_new:
        yield Change(path, "changed", _plain(kept_old), _plain(kept_new))
    for leaf in removed.elements():
        yield Change(path, "removed", leaf.out, None)
    for leaf in added.elements():
        yield Change(path, "added", None, leaf.out)


def _without(items: list[_Leaf], drop: Counter[_Leaf]) -> list[_Leaf]:
    left = Counter(drop)
    kept = []
    for item in items:
        if left[item] > 0:
            left[item] -= 1
        else:
            kept.append(item)
    return kept


def _item_key(old: list[Any], new: list[Any]) -> str | None:
    """The key that names every item of both lists uniquely, if any."""
    items = [*old, *new]
    if not all(isinstance(item, dict) for item in items):
        return None
    for key in ITEM_KEYS:
        if all(_named(item.get(key)) for item in items) and all(
            len({item[key].out for item in side}) == len(side) for side in (old, new)
        ):
            return key
    return None


def _named(node: Any) -> bool:
    return isinstance(node, _Leaf) and isinstance(node.out, str | int) and node.out != ""


def _at(items: list[Any], i: int) -> Any:
    return items[i] if i < len(items) else None


# --- one line per change ----------------------------------------------------------------------

_WORDS = {
    "en": {"added": "added", "removed": "removed", "order": "order changed:"},
    "zh-TW": {"added": "新增", "removed": "移除", "order": "順序改變："},
}
_WORD = re.compile(r"[\w.%:+/@-]+")  # shown bare: 1h, 80%, P2, team_lead, 包裹; the rest quoted
_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})
MAX_SHOWN = 80


def describe(change: Change, lang: str = "en") -> str:
    """One line for a person: `priorities.P2.first_response: 1h -> 30m`,
    `categories.order_status.phrases.en: added 'where's my parcel'`. `lang`: en or zh-TW."""
    words = _WORDS.get(lang, _WORDS["en"])
    if change.kind == "added":
        return f"{change.path}: {words['added']} {_show(change.new)}"
    if change.kind == "removed":
        return f"{change.path}: {words['removed']} {_show(change.old)}"
    old, new = change.old, change.new
    if isinstance(old, list) and isinstance(new, list) and _same_items(old, new):
        listed = ", ".join(_show(v) for v in old), ", ".join(_show(v) for v in new)
        return f"{change.path}: {words['order']} {_cut(listed[0])} -> {_cut(listed[1])}"
    return f"{change.path}: {_show(old)} -> {_show(new)}"


def _same_items(old: list[Any], new: list[Any]) -> bool:
    def texts(values: list[Any]) -> list[str]:
        return sorted(json.dumps(v, sort_keys=True) for v in values)

    return texts(old) == texts(new)


def _show(value: Any) -> str:
    if isinstance(value, str):
        one_line = value.translate(_ONE_LINE)
        return _cut(value if _WORD.fullmatch(value) else f"'{one_line}'")
    return _cut(json.dumps(value, ensure_ascii=False))


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
