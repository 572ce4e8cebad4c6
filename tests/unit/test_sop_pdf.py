"""The SOP as PDF (WeasyPrint): pages that are not blank, with the text people will read."""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from typer.testing import CliRunner

from tierdesk import policy, sop
from tierdesk.cli.main import app
from tierdesk.sop import fonts

pytestmark = pytest.mark.slow


def needs_cjk_font(lang: str) -> None:
    """Skip a zh-TW PDF without a Traditional Chinese font, unless CI requires one."""
    if lang != "zh-TW" or fonts.has_traditional_chinese_font():
        return
    reason = f"no Traditional Chinese font ({fonts.CJK_FONT}): install {fonts.CJK_PACKAGE}"
    if os.environ.get("TIERDESK_REQUIRE_CJK_FONT") == "1":
        pytest.fail(f"{reason}, but TIERDESK_REQUIRE_CJK_FONT=1 requires it")
    pytest.skip(reason)


def pdf_of(name: str, lang: str, business: str) -> bytes:
    needs_cjk_font(lang)
    out = sop.render(policy.load(preset=name), fmt="pdf", lang=lang, business=business)
    assert isinstance(out, bytes)
    return out


def page_text(doc: pdfium.PdfDocument) -> str:
    return "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))


def ink(page: pdfium.PdfPage) -> float:
    """Share of pixels that are not (nearly) white."""
    image = page.render(scale=0.6).to_pil().convert("L")
    histogram = image.histogram()  # 256 bins of grey levels
    return sum(histogram[:200]) / sum(histogram)


@pytest.mark.rule("R-DOC-1")
@pytest.mark.parametrize("name", policy.PRESETS)
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_pdf_pages_show_the_sop_with_its_business_name(name: str, lang: str) -> None:
    business = "台灣茶行 Acme" if lang == "zh-TW" else "Acme Taiwan"
    data = pdf_of(name, lang, business)
    assert data.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(data)
    assert len(doc) >= 1
    assert max(ink(doc[i]) for i in range(len(doc))) > 0.01
    text = page_text(doc)
    assert business in text
    heading = "支援層級" if lang == "zh-TW" else "Support Tiers"
    assert heading in text


def font_names(page: pdfium.PdfPage) -> set[str]:
    """Names of the fonts the page's text is drawn with (subset prefix removed)."""
    textpage = page.get_textpage()
    names = set()
    for i in range(textpage.count_chars()):
        buf = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buf, 256, ctypes.byref(flags))
        names.add(buf.value.decode("latin-1").split("+")[-1])
    return names - {""}


def test_zh_tw_pdf_draws_its_text_with_a_traditional_chinese_font() -> None:
    doc = pdfium.PdfDocument(pdf_of("cs-sop", "zh-TW", "Acme"))
    names = font_names(doc[0])
    assert any("CJK-TC" in n or "Sans-TC" in n for n in names), f"{names}: install fonts-noto-cjk"


def test_pdf_flowchart_is_drawn_from_the_rules() -> None:
    text = " ".join(page_text(pdfium.PdfDocument(pdf_of("cs-sop", "en", "Acme"))).split())
    assert "L1 cannot resolve within 15 min?" in text
    assert "No trigger: resolve in the current tier" in text


@pytest.mark.rule("R-DOC-1")
def test_a_zh_tw_pdf_without_a_chinese_font_fails_naming_the_font_and_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(fonts, "has_traditional_chinese_font", lambda: False)
    with pytest.raises(fonts.MissingFontError):
        sop.render(policy.load(preset="cs-sop"), fmt="pdf", lang="zh-TW")
    out = tmp_path / "sop.pdf"
    args = ["sop", "render", "--format", "pdf", "--lang", "zh-TW", "-o", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "Noto Sans CJK TC" in result.stderr and "fonts-noto-cjk" in result.stderr
    assert not out.exists()
    en = CliRunner().invoke(app, ["sop", "render", "--format", "md", "--lang", "zh-TW"])
    assert en.exit_code == 0  # only the PDF needs the font
