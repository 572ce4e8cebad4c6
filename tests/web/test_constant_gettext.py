"""Templates translated when compiled (tierdesk.web.constant_gettext): the page reads as the
newstyle gettext of every render wrote it, in each language, while the compiled template
holds the translated text instead of a call."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tierdesk.web import i18n, pages
from tierdesk.web.constant_gettext import ConstantGettextEnvironment

SOURCE = (
    "<p>{{ _('Queue') }}|{{ _(\"The team's tickets\") }}|{{ _('Choose %(ref)s', ref='<b>') }}"
    "|{{ _('Queue %(tier)s', tier=tier) }}|{{ _('Choose %(ref)s', ref='%(ref)s') % {'ref': ref} }}"
    "|{% autoescape false %}{{ _('Choose %(ref)s', ref='<i>') }}{% endautoescape %}</p>"
)


E = TypeVar("E", bound=Environment)


def _env(cls: type[E], lang: str) -> E:
    env = cls(
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def _runtime_env(lang: str) -> Environment:
    return _env(Environment, lang)


def _folding_env(lang: str) -> ConstantGettextEnvironment:
    env = _env(ConstantGettextEnvironment, lang)
    env.translations = i18n.translations(lang)
    return env


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_folded_templates_read_as_translated_at_render_time(lang: str) -> None:
    values = {"tier": "L2 & <L3>", "ref": "T-1<2"}
    expected = _runtime_env(lang).from_string(SOURCE).render(values)
    assert _folding_env(lang).from_string(SOURCE).render(values) == expected
    if lang == "zh-TW":
        assert "團隊工單" in expected


def test_a_literal_call_is_compiled_to_its_text_and_a_variable_one_stays_a_call() -> None:
    code = _folding_env("zh-TW").compile(
        "{{ _('Queue') }}{{ _('Queue %(tier)s', tier=t) }}", raw=True
    )
    assert "'Queue'" not in code  # the literal call: gone, its translation is template data
    assert i18n.translations("zh-TW").gettext("Queue") in code
    assert "Queue %(tier)s" in code  # needs `t` at render time: still a gettext call


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_every_console_template_compiles_alike_in_both_environments(lang: str) -> None:
    """Every template compiles with folding (nothing the transformer leaves is malformed)."""
    folding = pages.environment(lang)
    assert isinstance(folding, ConstantGettextEnvironment)
    loader = FileSystemLoader(pages.TEMPLATE_DIR)
    names = loader.list_templates()
    assert any(n.startswith("console/") for n in names)
    for name in names:
        source = (Path(pages.TEMPLATE_DIR) / name).read_text(encoding="utf-8")
        folding.compile(source, name=name)
