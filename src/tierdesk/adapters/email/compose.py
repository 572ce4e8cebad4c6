"""Outgoing mail: an outbox message as an RFC 5322 message (plain text and HTML alternatives
in the customer's language).

Headers that make the customer's reply thread and keep machines quiet:
- `Message-ID`: `email_intake.message_id_for` (stable across retries, names the ticket);
- `In-Reply-To` / `References`: the Message-ID of the customer's mail that opened the ticket;
- `Subject`: the ticket's subject with the token `[#T-<short reference>]` ("Re: " when
  answering a mail);
- `Auto-Submitted: auto-replied` on automatic messages (receipts, notices, surveys; RFC 3834),
  so well-behaved auto-responders do not answer them; an agent's reply has none;
- `X-Tierdesk-Loop`: our From address, so a mail of ours coming back is recognised as a loop;
- `Content-Language`.
"""

from __future__ import annotations

import html
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from tierdesk.services.email_intake import (
    LOOP_HEADER,
    message_id_for,
    short_reference,
    ticket_token,
)
from tierdesk.services.records import OutboxRecord

_FOOTER = {
    "en": "Reference: {ticket}. Reply to this email to add to your request.",
    "zh-TW": "案件編號：{ticket}。直接回覆這封郵件即可補充說明。",
}
_LINK_LINE = {
    "en": "Your requests and replies: {link}",
    "zh-TW": "查看您的詢問與回覆：{link}",
}
_DEFAULT_SUBJECT = {
    "en": "Your request",
    "zh-TW": "您的詢問",
}
HUMAN_KINDS = frozenset({"reply"})


def sender_domain(from_address: str) -> str:
    """The domain part of a From address ("Support <s@desk.example>" -> "desk.example")."""
    address = parseaddr(from_address)[1]
    return address.rpartition("@")[2] or "tierdesk.invalid"


def compose(message: OutboxRecord, from_address: str, domain: str) -> EmailMessage:
    """The mail for `message` (see the module doc)."""
    payload = message.payload
    lang = str(payload.get("language") or "en")
    ticket = str(payload.get("ticket_id") or message.ticket_id or "")
    text = str(payload.get("text") or "")
    original = str(payload.get("in_reply_to") or "")
    subject = str(payload.get("subject") or "").strip() or _DEFAULT_SUBJECT.get(
        lang, "Your request"
    )
    mail = EmailMessage()
    mail["From"] = from_address
    mail["To"] = _address(message.recipient)
    token = ticket_token(ticket) if ticket else ""
    mail["Subject"] = " ".join(x for x in (("Re: " if original else "") + subject, token) if x)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = f"<{message_id_for(message, domain)}>"
    if original:
        mail["In-Reply-To"] = f"<{original}>"
        mail["References"] = f"<{original}>"
    if message.kind not in HUMAN_KINDS:
        mail["Auto-Submitted"] = "auto-replied"
    mail[LOOP_HEADER] = parseaddr(from_address)[1]
    footer = (
        _FOOTER.get(lang, _FOOTER["en"]).format(ticket=short_reference(ticket)) if ticket else ""
    )
    link = str(payload.get("customer_link") or "")
    if link:
        line = _LINK_LINE.get(lang, _LINK_LINE["en"]).format(link=link)
        footer = f"{footer}\n{line}" if footer else line
    mail.set_content(text.rstrip() + ("\n\n-- \n" + footer if footer else "") + "\n")
    mail.add_alternative(_html(text, footer, lang), subtype="html")
    mail["Content-Language"] = lang  # after the content: setting it clears Content-* headers
    return mail


def _address(recipient: str) -> Address | str:
    name, addr = parseaddr(recipient)
    if "@" not in addr:
        raise ValueError("the recipient is not an email address")
    user, _, host = addr.rpartition("@")
    return Address(display_name=name, username=user, domain=host)


def _html(text: str, footer: str, lang: str) -> str:
    paragraphs = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.splitlines()) + "</p>\n"
        for block in text.strip().split("\n\n")
        if block.strip()
    )
    foot = (
        '<hr><p style="color:#666;font-size:small">'
        + "<br>".join(_linked(line) for line in footer.splitlines())
        + "</p>\n"
        if footer
        else ""
    )
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8"></head>'
        f"<body>\n{paragraphs}{foot}</body></html>\n"
    )


def _linked(line: str) -> str:
    """A footer line, escaped, its https?:// address (the customer's page) as a link."""
    text, sep, url = line.rpartition(" ")
    if sep and url.startswith(("https://", "http://")):
        href = html.escape(url, quote=True)
        return f'{html.escape(text)} <a href="{href}">{href}</a>'
    return html.escape(line)
