"""Server-rendered HTML pages: Jinja2 templates in the reader's language, and their headers.

Shared by the agent console (`tierdesk.web.console`) and the public pages (survey, contact).
Every page answer carries a Content-Security-Policy without inline script or style: scripts
and styles are files under /static (htmx vendored from npm, the console's own JS and CSS).
Templates get `_`/`ngettext` (Babel catalogs, `tierdesk.web.i18n`), the filters `when` and
`money` (the policy's time zone and currency), `customer_html` (nh3) and the page context:
`lang`, `languages`, `user` (None when signed out) and `csrf` (the session's token, which
htmx sends as X-CSRF-Token on every unsafe request, as the API wants).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from tierdesk.services.notify import short_reference
from tierdesk.web import i18n
from tierdesk.web.constant_gettext import ConstantGettextEnvironment
from tierdesk.web.sanitize import customer_html

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # external images in customer messages load only after a click (sanitize.py)
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    )
)
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Locale:
    """How a page formats: its language, and the policy's time zone and currency."""

    lang: str
    zone: str = "UTC"
    currency: str = "TWD"


@cache
def environment(lang: str, reload: bool = False) -> ConstantGettextEnvironment:
    """The Jinja environment of one language (one per language: thread-safe, compiled once,
    the literal `_()` of its templates translated when compiled). Templates are not checked
    for changes (a stat of each file on every render) unless `reload` (the setting
    `template_reload`, for development)."""
    env = ConstantGettextEnvironment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        auto_reload=reload,
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.translations = i18n.translations(lang)
    env.filters["customer_html"] = lambda text: Markup(customer_html(text))  # noqa: S704 - nh3-cleaned
    env.filters["reference"] = short_reference  # what customers read: T-3f9c1a2b7e
    return env


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    locale: Locale,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """`template` rendered in `locale.lang` as an HTML answer with the page headers."""
    lang = i18n.language(locale.lang)

    def when(value: datetime | None, fmt: Literal["datetime", "date"] = "datetime") -> str:
        return i18n.when(value, lang, locale.zone, fmt)

    def money(amount: Decimal | int | float | None, currency: str | None = None) -> str:
        return i18n.money(amount, currency or locale.currency, lang)

    def duration(value: timedelta | None) -> str:
        return i18n.duration(value, lang)

    values: dict[str, Any] = {
        "request": request,
        "duration": duration,
        "lang": lang,
        "languages": i18n.LANGUAGE_NAMES,
        "user": None,
        "csrf": "",
        "when": when,
        "money": money,
        **context,
    }
    html = environment(lang, _reloading(request)).get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers={**PAGE_HEADERS, **(headers or {})})


def _reloading(request: Request) -> bool:
    """The app's `template_reload` setting (False for an app without tierdesk's state)."""
    web = getattr(request.app.state, "web", None)
    return bool(web is not None and web.settings.template_reload)


class Static(StaticFiles):
    """/static: the page files, with the page CSP and nosniff."""

    def file_response(self, *args: Any, **kwargs: Any) -> Any:
        response = super().file_response(*args, **kwargs)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response


def static_files() -> Static:
    return Static(directory=STATIC_DIR)
