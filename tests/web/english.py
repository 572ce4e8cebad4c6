"""English words left on a page that should read in Traditional Chinese.

A ticket's id (t_67bca3bd...) and the short reference customers quote (T-67bca3bd31) are
hex runs, not words: a check that reads them as English fails by chance, on whichever id
happens to hold three letters a-f in a row."""

from __future__ import annotations

import re
from collections.abc import Collection

_TICKET_NAMES = re.compile(r"(?<![A-Za-z0-9])[Tt][-_][0-9a-f]{8,}(?![A-Za-z0-9])")


def english_words(text: str, *, shortest: int = 4, allowed: Collection[str] = ()) -> list[str]:
    """The runs of at least `shortest` Latin letters in `text`, less ticket ids and
    references and the `allowed` names."""
    words = re.findall(rf"[A-Za-z]{{{shortest},}}", _TICKET_NAMES.sub(" ", text))
    return [w for w in words if w not in allowed]
