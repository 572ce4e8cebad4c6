"""The fixed wording of the printed SOP, per language, read from the data files in `sop/i18n/`.

Policy text (scopes, labels, steps) comes from the policy itself; these files hold only the words
tierdesk adds around it: headings, table headers, units and connecting phrases.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

LANGS: tuple[str, ...] = ("en", "zh-TW")


class Messages:
    """Look up `section.key` strings of one language and fill their `{field}`s."""

    def __init__(self, lang: str, data: dict[str, Any]) -> None:
        self.lang = lang
        self._data = data

    def _raw(self, key: str) -> Any:
        node: Any = self._data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise KeyError(f"sop/i18n/{self.lang}.yaml has no message {key!r}")
            node = node[part]
        return node

    def __call__(self, key: str, /, **fields: object) -> str:
        """The message `key` (e.g. `sections.purpose`) with `{field}`s filled from `fields`."""
        raw = self._raw(key)
        if not isinstance(raw, str):
            raise KeyError(f"sop/i18n/{self.lang}.yaml: {key!r} is not a text message")
        return raw.format(**fields) if fields else raw

    def items(self, key: str) -> list[str]:
        """A list message, e.g. `clocks.weekdays`."""
        raw = self._raw(key)
        if not isinstance(raw, list):
            raise KeyError(f"sop/i18n/{self.lang}.yaml: {key!r} is not a list")
        return [str(x) for x in raw]

    def keys(self) -> set[str]:
        """Every dotted key, for checking that the languages agree."""
        out: set[str] = set()

        def walk(node: Any, prefix: str) -> None:
            for k, v in node.items():
                if isinstance(v, dict):
                    walk(v, f"{prefix}{k}.")
                else:
                    out.add(f"{prefix}{k}")

        walk(self._data, "")
        return out


@lru_cache(maxsize=len(LANGS))
def messages(lang: str) -> Messages:
    """The messages of `lang` (en or zh-TW). Raises ValueError for another language."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    path = resources.files("tierdesk.sop") / "i18n" / f"{lang}.yaml"
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return Messages(lang, data)
