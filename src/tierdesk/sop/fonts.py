"""Fonts a PDF needs: a Traditional Chinese SOP printed without a Traditional Chinese font is
pages of empty boxes, so it is refused with the font and the package to install."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache

from tierdesk.domain.errors import TierdeskError

CJK_FONT = "Noto Sans CJK TC"
CJK_PACKAGE = "fonts-noto-cjk"


class MissingFontError(TierdeskError):
    """The PDF would need a font that is not installed (`data`: font, package)."""

    code = "missing_font"

    def __init__(self, lang: str) -> None:
        super().__init__(
            f"a {lang} PDF needs a Traditional Chinese font such as {CJK_FONT}, and none is "
            f"installed: install the package {CJK_PACKAGE} (apt-get install {CJK_PACKAGE})",
            font=CJK_FONT,
            package=CJK_PACKAGE,
        )


@lru_cache(maxsize=1)
def has_traditional_chinese_font() -> bool:
    """Whether fontconfig (which WeasyPrint lays text out with) knows a font for zh-TW."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(  # noqa: S603 - a fixed command, no user input
        [fc_list, ":lang=zh-tw", "family"], capture_output=True, text=True, check=False, timeout=30
    )
    return found.returncode == 0 and bool(found.stdout.strip())


def require_fonts(lang: str) -> None:
    """MissingFontError when a PDF in `lang` could not be drawn with a font for its script."""
    if lang == "zh-TW" and not has_traditional_chinese_font():
        raise MissingFontError(lang)
