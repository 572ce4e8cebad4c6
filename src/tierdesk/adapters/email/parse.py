"""Reading one email (RFC 5322 bytes) with the standard library's `email` package, policy
`default`, into what the intake needs (`tierdesk.services.email_intake.InboundMail`).

- Text: the text/plain part, else a plain rendering of the HTML part; the HTML part kept,
  sanitized with nh3 (scripts, styles, event handlers and foreign URL schemes removed; `cid:`
  links to inline images kept). The new text has quoted history and signatures cut
  (`quotes.new_text`); the full text is kept beside it.
- Charsets as sent, decoded without crashing: the declared charset strictly, then (for a CJK
  charset, where mislabelling is common) whichever of Big5, GB18030 and UTF-8 reads as more
  common Chinese; a charset Python does not know, or bytes that fit none, are decoded from
  UTF-8 with replacement characters.
- Encoded headers (RFC 2047) are decoded by the policy; a header too broken to parse is read as
  its raw text.
- Attachments and inline images are handed to `store(data) -> sha256` (content-addressed
  files outside the database) unless over the size or count limit: then they are listed with
  the reason and not stored.
- Automatic mail is recognised (RFC 3834 `Auto-Submitted`, `Precedence: bulk|junk|list|
  auto_reply`, `X-Autoreply`, `X-Autorespond`, Exchange's `X-Auto-Response-Suppress`), and
  delivery-status reports (`multipart/report; report-type=delivery-status`) yield the failed
  recipients and the Message-ID of the bounced mail.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import re
from collections.abc import Callable
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

import nh3

from tierdesk.adapters.email.quotes import new_text
from tierdesk.services.email_intake import InboundMail, MailAttachment

Store = Callable[[bytes], str]

_CJK = frozenset({"big5", "big5-hkscs", "big5hkscs", "cp950", "gb2312", "gbk", "gb18030", "cp936"})
# Common characters of everyday Chinese in both scripts: the yardstick for mislabelled charsets.
_COMMON = frozenset(
    "的一是不了人我在有他這这個个們们中大來来上國国到說说為为子和你地出道也時时年得就那要下以生"
    "會会自著着去之過过家學学對对可她裡里後后小麼么心多天而能好都然沒没日於于起還还發发成事只作"
    "當当想看文無无開开手十用主行方又如前所本見见經经頭头面公同三已老從从動动兩两長长訂订單单"
    "貨货退款錢钱問问題题請请謝谢您收到寄送已經商品客服明天今週周幫帮忙處处理"
)
_AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_ID = re.compile(r"<([^<>\s]+)>")


def parse(
    raw: bytes,
    *,
    mailbox: str,
    store: Store,
    max_attachment_bytes: int,
    max_attachments: int,
) -> InboundMail:
    """The message in `raw`, read as the module doc says. Never raises for malformed mail:
    what cannot be read is reported in `defects`."""
    msg = email.message_from_bytes(raw, _class=EmailMessage, policy=email.policy.default)
    digest = hashlib.sha256(raw).hexdigest()
    defects = [type(d).__name__ for d in msg.defects]
    plain, html_part, attachments = _walk(
        msg, store, max_attachment_bytes, max_attachments, defects
    )
    sanitized = _sanitize(html_part) if html_part is not None else None
    full = plain if plain.strip() else (_render(html_part) if html_part else "")
    name, address = parseaddr(_header(msg, "from"))
    bounce = _bounce(msg)
    return InboundMail(
        mailbox=mailbox,
        message_id=_first_id(_header(msg, "message-id")) or f"{digest}@tierdesk.invalid",
        sender=address.strip().lower(),
        sender_name=name.strip(),
        subject=" ".join(_header(msg, "subject").split()),
        text=new_text(full),
        full_text=full.strip(),
        html=sanitized,
        in_reply_to=tuple(_ID.findall(_header(msg, "in-reply-to"))),
        references=tuple(_ID.findall(_header(msg, "references"))),
        raw_sha256=store(raw),
        size=len(raw),
        attachments=tuple(attachments),
        auto_reason=_auto_reason(msg),
        bounce_recipients=bounce[0],
        bounce_reason=bounce[1],
        bounced_message_id=bounce[2],
        recipients=tuple(
            a.lower() for _, a in getaddresses([_header(msg, "to"), _header(msg, "cc")]) if a
        ),
        loop_marker=_header(msg, "x-tierdesk-loop") or None,
        defects=tuple(dict.fromkeys(defects)),
    )


def _header(msg: Message, name: str) -> str:
    """A header's decoded text; the raw text when it is too broken to parse; "" if missing."""
    try:
        value = msg.get(name)
    except Exception:  # a malformed header the policy cannot parse
        raw = msg.get_all(name, failobj=[])
        value = raw[0] if raw else None
    if value is None:
        return ""
    try:
        return str(value)
    except Exception:  # pragma: no cover - a header object that cannot render
        return repr(value)


def _first_id(value: str) -> str | None:
    found = _ID.findall(value)
    if found:
        return str(found[0])
    value = value.strip()
    return value or None


def _walk(
    msg: EmailMessage,
    store: Store,
    max_bytes: int,
    max_count: int,
    defects: list[str],
) -> tuple[str, str | None, list[MailAttachment]]:
    plain: list[str] = []
    htmls: list[str] = []
    files: list[MailAttachment] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = _filename(part)
        if ctype in ("message/delivery-status", "text/rfc822-headers"):
            continue
        is_text = (
            ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename
        )
        if is_text:
            text = _text(part, defects)
            (plain if ctype == "text/plain" else htmls).append(text)
            continue
        data = _payload(part)
        if data is None:
            continue
        content_id = part.get("content-id")
        cid = _first_id(str(content_id)) if content_id else None
        inline = disposition == "inline" or (disposition is None and cid is not None)
        refused = None
        if len(files) >= max_count:
            refused = f"more than {max_count} attachments"
        elif len(data) > max_bytes:
            refused = f"larger than {max_bytes} bytes"
        files.append(
            MailAttachment(
                filename=filename or (f"{cid or 'part'}.{ctype.split('/')[-1]}"),
                content_type=ctype,
                size=len(data),
                sha256=None if refused else store(data),
                inline=inline,
                content_id=cid,
                refused=refused,
            )
        )
    return "\n\n".join(p for p in plain if p.strip()), ("\n".join(htmls) or None), files


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return " ".join(str(name).split()) if name else ""


def _payload(part: Message) -> bytes | None:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    if isinstance(data, bytes):
        return data
    if isinstance(part.get_payload(), str):  # a part the policy would not decode
        return str(part.get_payload()).encode("utf-8", "replace")
    return None


def _text(part: Message, defects: list[str]) -> str:
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return str(part.get_payload() or "")
    charset = (part.get_content_charset() or "").lower()
    return decode(data, charset, defects)


def decode(data: bytes, charset: str, defects: list[str] | None = None) -> str:
    """`data` as text: the declared `charset` when it reads, the best CJK candidate when the
    declaration is a CJK one (or missing), else UTF-8 with replacement characters."""
    declared = _strict(data, charset) if charset else None
    if declared is not None and charset.replace("_", "-") not in _CJK:
        return declared
    candidates = [c for c in (declared,) if c is not None]
    for other in ("utf-8", "big5", "gb18030"):
        text = _strict(data, other)
        if text is not None:
            candidates.append(text)
    if candidates:
        best = max(candidates, key=_commonness)  # max keeps the first (the declared) on ties
        if best is not declared and defects is not None:
            defects.append("MislabelledCharset")
        return best
    if defects is not None:
        defects.append("UndecodableText")
    return data.decode("utf-8", errors="replace")


def _strict(data: bytes, charset: str) -> str | None:
    try:
        return data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None


def _commonness(text: str) -> int:
    return sum(ch in _COMMON for ch in text)


def _auto_reason(msg: Message) -> str | None:
    auto = _header(msg, "auto-submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(msg, "precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "x-autoresponse"):
        if _header(msg, name):
            return f"{name}: {_header(msg, name).strip()}"[:200]
    suppress = _header(msg, "x-auto-response-suppress").strip().lower()
    if suppress in ("all", "oof"):
        return f"X-Auto-Response-Suppress: {suppress}"
    return None


def _bounce(msg: EmailMessage) -> tuple[tuple[str, ...], str, str | None]:
    """(failed recipients, the reason, the bounced mail's Message-ID) of a delivery-status
    report; ((), "", None) for any other message."""
    if msg.get_content_type() != "multipart/report":
        return (), "", None
    if str(msg.get_param("report-type") or "").lower() != "delivery-status":
        return (), "", None
    failed: list[str] = []
    reasons: list[str] = []
    original: str | None = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            for block in _status_blocks(part):
                action = str(block.get("action", "")).strip().lower()
                if action and action != "failed":
                    continue
                recipient = str(
                    block.get("final-recipient") or block.get("original-recipient") or ""
                )
                if recipient:
                    failed.append(recipient.split(";", 1)[-1].strip().strip("<>").lower())
                    status = str(block.get("status", "")).strip()
                    diagnostic = str(block.get("diagnostic-code", "")).split(";", 1)[-1].strip()
                    reasons.append(" ".join(x for x in (status, diagnostic) if x))
        elif ctype in ("message/rfc822", "text/rfc822-headers") and original is None:
            original = _bounced_id(part)
    return tuple(dict.fromkeys(failed)), "; ".join(reasons)[:500], original


def _status_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = [b for b in re.split(r"\r?\n\r?\n", text) if b.strip()]
    return [email.message_from_string(b + "\n", policy=email.policy.default) for b in blocks]


def _bounced_id(part: Message) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return _first_id(_header(payload[0], "message-id"))
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        inner = email.message_from_bytes(data, policy=email.policy.default)
        return _first_id(_header(inner, "message-id"))
    return None


# --- HTML ---------------------------------------------------------------------------------------

_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


def _sanitize(markup: str) -> str:
    """Customer HTML made safe to show to agents (nh3's allow-list; `cid:` images kept)."""
    return nh3.clean(markup, url_schemes=_SCHEMES, link_rel="noopener noreferrer nofollow")


_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "table"}
)
_SKIP = frozenset({"script", "style", "head", "title"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.quote = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "blockquote":
            self.quote += 1
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = re.sub(r"[ \t\r\n]+", " ", data)
        if self.quote and text.strip():
            text = "> " * self.quote + text.strip()
        self.out.append(text)


def _render(markup: str) -> str:
    """A plain-text rendering of `markup`: block elements on their own lines, blockquotes
    as "> " lines, scripts and styles dropped."""
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # pragma: no cover - HTMLParser is lenient; a last resort
        return html.unescape(re.sub(r"<[^>]+>", " ", markup))
    lines = [line.strip() for line in "".join(parser.out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_html(markup: str) -> str:
    """The plain-text rendering used for HTML-only mail (see `_render`)."""
    return _render(markup)
