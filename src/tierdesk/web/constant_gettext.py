"""Templates translated once, when they are compiled: a `_("literal")` whose arguments are all
literals becomes the translated text itself in the compiled template (one Environment per
language, `tierdesk.web.pages.environment`), instead of a gettext call on every render.

The text is what the newstyle gettext of `jinja2.ext.i18n` gives at render time,
`Markup(gettext(s)) % variables` under autoescape and `gettext(s) % variables` without; a call
is folded only where both are the same text (so it reads alike in either context) and where
formatting succeeds. Every other call (a variable argument, `ngettext`) stays as it was.
"""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from jinja2 import Environment, nodes
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

_GETTEXT_NAMES = ("_", "gettext")


class _Fold(NodeTransformer):
    def __init__(self, translations: NullTranslations) -> None:
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:  # noqa: N802 - jinja's visitor names
        self.generic_visit(node)
        text = self._constant(node)
        if text is None:
            return node
        return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)

    def _constant(self, node: nodes.Call) -> str | None:
        if not (isinstance(node.node, nodes.Name) and node.node.name in _GETTEXT_NAMES):
            return None
        if node.dyn_args is not None or node.dyn_kwargs is not None or len(node.args) != 1:
            return None
        message = node.args[0]
        if not (isinstance(message, nodes.Const) and isinstance(message.value, str)):
            return None
        variables: dict[str, Any] = {}
        for kw in node.kwargs:
            if not isinstance(kw.value, nodes.Const):
                return None
            variables[kw.key] = kw.value.value
        translated = self.translations.gettext(message.value)
        try:
            # what newstyle gettext does with a catalog string (catalogs are ours, not input)
            escaped = str(Markup(translated) % variables)  # noqa: S704
            plain = translated % variables
        except (KeyError, ValueError, TypeError):
            return None  # left to fail (or not) at render time, as before
        return plain if escaped == plain else None


class ConstantGettextEnvironment(Environment):
    """An Environment whose templates have their literal `_()` calls translated by
    `translations` at compile time (see the module)."""

    translations: NullTranslations | None = None

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.translations is None:
            return tree
        folded = _Fold(self.translations).visit(tree)
        assert isinstance(folded, nodes.Template)  # noqa: S101 - the transformer keeps the root
        return folded
