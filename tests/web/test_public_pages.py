"""The public customer pages over the TestClient: /contact (intake, honeypot, form token,
rate limit, per-field errors), the magic-link page /my (never tells whether an address is
known; signed, expiring, single-purpose tokens; replies as customer messages) and the chat
(/chat: first message opens a ticket, later ones append, agent replies in the polled log,
framed only by the configured sites)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from web_desk import WebDesk, web_desk

from tierdesk.domain.rulebook import Rulebook
from tierdesk.services import conversation
from tierdesk.services.notify import delivery_channel
from tierdesk.web.public import chat, customer

MESSAGE = "My parcel for order #12345 has not arrived yet."


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, "no form token in the page"
    return found.group(1)


def contact(desk: WebDesk, **fields: str) -> tuple[int, str]:
    form = desk.client.get("/contact")
    data = {"email": "mei@example.com", "message": MESSAGE, "token": token_of(form.text)}
    data.update(fields)
    r = desk.client.post("/contact", data=data)
    return r.status_code, r.text


# --- /contact --------------------------------------------------------------------------------


def test_the_contact_form_opens_a_ticket_and_shows_its_reference(desk: WebDesk) -> None:
    page = desk.client.get("/contact")
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    )
    status, html = contact(desk, name="Mei", subject="Late parcel")
    assert status == 200
    [ticket] = desk.store.tables.tickets.values()
    assert f'id="reference">T-{ticket.id[2:12]}<' in html  # the short reference, as mail says
    assert (ticket.channel, ticket.subject) == ("web", "Late parcel")
    assert [m.kind for m in desk.store.tables.outbox.values()] == ["receipt"]  # R-PROC-1


def test_a_double_submit_of_one_form_is_one_ticket(desk: WebDesk) -> None:
    form = desk.client.get("/contact")
    data = {"email": "mei@example.com", "message": MESSAGE, "token": token_of(form.text)}
    first = desk.client.post("/contact", data=data)
    again = desk.client.post("/contact", data=data)
    assert first.status_code == again.status_code == 200
    assert len(desk.store.tables.tickets) == 1


def test_a_bot_filling_the_honeypot_gets_thanks_and_nothing_is_stored(desk: WebDesk) -> None:
    status, html = contact(desk, website="http://spam.example")
    assert status == 200 and "Thank you" in html
    assert 'id="reference"' not in html
    assert desk.store.tables.tickets == {} and desk.store.tables.outbox == {}


def test_a_forged_or_stale_form_token_is_sent_back_with_the_text_kept(desk: WebDesk) -> None:
    forged = desk.client.post(
        "/contact", data={"email": "mei@example.com", "message": MESSAGE, "token": "x.y"}
    )
    assert forged.status_code == 400 and MESSAGE in forged.text
    form = desk.client.get("/contact")
    desk.clock.advance(timedelta(hours=3))
    stale = desk.client.post(
        "/contact",
        data={"email": "mei@example.com", "message": MESSAGE, "token": token_of(form.text)},
    )
    assert stale.status_code == 400 and "open for too long" in stale.text
    assert desk.store.tables.tickets == {}
    # a token of another form is not this form's
    other = token_of(desk.client.get("/my").text)
    assert contact(desk, token=other)[0] == 400


def test_validation_errors_are_shown_on_their_fields(desk: WebDesk) -> None:
    status, html = contact(desk, email="not an address", message="  ")
    assert status == 422
    assert 'id="email-error"' in html and 'id="message-error"' in html
    assert 'aria-invalid="true"' in html and "not an address" in html
    assert desk.store.tables.tickets == {}


def test_the_contact_page_speaks_zh_tw(desk: WebDesk) -> None:
    page = desk.client.get("/contact?lang=zh-TW")
    assert "聯絡我們" in page.text and 'lang="zh-TW"' in page.text
    status, html = contact(desk, lang="zh-TW", email="")
    assert status == 422 and "此欄為必填" in html


def test_the_public_forms_share_the_public_intakes_rate_limit(rules: Rulebook) -> None:
    with web_desk(rules, public_rate_per_minute=1.0, public_burst=2) as desk:
        token = token_of(desk.client.get("/contact").text)
        data = {"email": "mei@example.com", "message": MESSAGE, "token": token}
        assert desk.client.post("/contact", data=data).status_code == 200
        intake = {"channel": "web", "body": MESSAGE, "email": "a@example.com"}
        assert desk.client.post("/api/intake", json=intake).status_code == 201
        limited = desk.client.post("/contact", data=data)
        assert limited.status_code == 429 and "retry-after" in limited.headers
        assert desk.client.post("/my", data={"email": "mei@example.com"}).status_code == 429


# --- /my: the magic-link page ------------------------------------------------------------------


def ask_link(desk: WebDesk, email: str) -> tuple[int, str]:
    form = desk.client.get("/my")
    r = desk.client.post("/my", data={"email": email, "token": token_of(form.text)})
    return r.status_code, r.text


def link_mail(desk: WebDesk) -> str:
    mails = [m for m in desk.store.tables.outbox.values() if m.kind == "customer_link"]
    assert len(mails) == 1
    found = re.search(r"http://\S+/my/(\S+?)\?lang=", mails[0].payload["text"])
    assert found
    return found.group(1)


def test_asking_for_a_link_never_tells_whether_the_address_is_known(desk: WebDesk) -> None:
    contact(desk)
    known = ask_link(desk, "Mei@Example.com")
    unknown = ask_link(desk, "nobody@example.com")
    assert known[0] == unknown[0] == 200
    assert known[1].replace("Mei@Example.com", "X") == unknown[1].replace("nobody@example.com", "X")
    [mail] = [m for m in desk.store.tables.outbox.values() if m.kind == "customer_link"]
    assert mail.recipient == "mei@example.com" and mail.channel == "email"


def test_the_magic_link_lists_the_customers_tickets_and_takes_a_reply(desk: WebDesk) -> None:
    contact(desk, subject="Late parcel")
    [ticket] = desk.store.tables.tickets.values()
    conversation.add_note(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], body="internal: VIP?"
    )
    conversation.reply(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], body="It ships today."
    )
    ask_link(desk, "mei@example.com")
    token = link_mail(desk)
    page = desk.client.get(f"/my/{token}")
    assert page.status_code == 200
    assert "Late parcel" in page.text and "It ships today." in page.text
    assert "internal: VIP?" not in page.text  # never an internal note
    key = re.search(r'name="key" value="([^"]+)"', page.text)
    assert key
    data = {"body": "Thanks, <b>tracking</b>?<script>x()</script>", "key": key.group(1)}
    sent = desk.client.post(f"/my/{token}/tickets/{ticket.id}", data=data, follow_redirects=False)
    assert sent.status_code == 303
    again = desk.client.post(f"/my/{token}/tickets/{ticket.id}", data=data)  # a resubmit
    assert again.status_code == 200
    customer_messages = [
        m
        for m in desk.store.tables.messages.values()
        if m.kind == "customer" and "tracking" in m.body
    ]
    assert len(customer_messages) == 1 and customer_messages[0].channel == "web"
    shown = desk.client.get(f"/my/{token}").text
    assert "<b>tracking</b>" in shown and "<script>" not in shown  # sanitized (nh3)


def test_a_magic_link_opens_only_its_customers_tickets(desk: WebDesk) -> None:
    contact(desk)
    contact(desk, email="other@example.com")
    mine = next(
        t for t in desk.store.tables.tickets.values() if t.customer_id != _customer(desk, "other")
    )
    theirs = next(t for t in desk.store.tables.tickets.values() if t.id != mine.id)
    signed, _ = customer.link_token(desk.app.state.web, mine.customer_id)
    page = desk.client.get(f"/my/{signed}")
    assert mine.id in page.text and theirs.id not in page.text
    r = desk.client.post(f"/my/{signed}/tickets/{theirs.id}", data={"body": "hi", "key": "k1"})
    assert r.status_code == 404
    assert not [m for m in desk.store.tables.messages.values() if m.body == "hi"]


def _customer(desk: WebDesk, local: str) -> str:
    return next(
        i.customer_id for i in desk.store.tables.identities.values() if i.value.startswith(local)
    )


def test_magic_links_expire_and_are_single_purpose(desk: WebDesk) -> None:
    contact(desk)
    [ticket] = desk.store.tables.tickets.values()
    state = desk.app.state.web
    signed, _ = customer.link_token(state, ticket.customer_id)
    assert desk.client.get(f"/my/{signed}").status_code == 200
    # a chat token, or a forged one, is not a magic link
    chat_token = chat.chat_token(state, ticket.id, ticket.customer_id)
    assert desk.client.get(f"/my/{chat_token}").status_code == 403
    assert desk.client.get(f"/my/{signed[:-2]}xx").status_code == 403
    desk.clock.advance(timedelta(seconds=state.settings.customer_link_max_age + 1))
    expired = desk.client.get(f"/my/{signed}")
    assert expired.status_code == 403 and "expired" in expired.text
    r = desk.client.post(f"/my/{signed}/tickets/{ticket.id}", data={"body": "late", "key": "k"})
    assert r.status_code == 403


# --- /chat -------------------------------------------------------------------------------------


def start_chat(desk: WebDesk, message: str = MESSAGE) -> str:
    form = desk.client.get("/chat")
    r = desk.client.post(
        "/chat",
        data={"email": "mei@example.com", "message": message, "token": token_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    found = re.match(r"/chat/([^?]+)\?lang=en$", r.headers["location"])
    assert found
    return found.group(1)


def test_a_chat_opens_a_ticket_appends_messages_and_shows_agent_replies(desk: WebDesk) -> None:
    token = start_chat(desk)
    [ticket] = desk.store.tables.tickets.values()
    assert ticket.channel == "chat"
    page = desk.client.get(f"/chat/{token}")
    assert MESSAGE in page.text and "mei@example.com" in page.text
    assert 'hx-trigger="every 3s"' in page.text
    said = desk.client.post(
        f"/chat/{token}/messages",
        data={"body": "Any news?", "key": "k1"},
        headers={"HX-Request": "true"},
    )
    assert said.status_code == 200 and 'id="chat-panel"' in said.text and "Any news?" in said.text
    assert len(desk.store.tables.tickets) == 1
    conversation.reply(
        desk.env, ticket_id=ticket.id, actor_id=desk.user["agent_l1"], body="On its way today."
    )
    log = desk.client.get(f"/chat/{token}/log")
    assert "On its way today." in log.text and "<html" not in log.text
    # the conversation continues by email: the agent's reply is also mailed
    [mail] = [m for m in desk.store.tables.outbox.values() if m.kind == "reply"]
    assert (delivery_channel(mail.channel), mail.recipient) == ("email", "mei@example.com")


def test_the_chat_page_may_be_framed_only_by_the_configured_sites(rules: Rulebook) -> None:
    with web_desk(rules, chat_frame_ancestors="https://shop.example.com") as desk:
        page = desk.client.get("/chat").headers
        csp = page["content-security-policy"]
        assert "frame-ancestors 'self' https://shop.example.com" in csp
        assert "script-src 'self'" in csp
        assert "x-frame-options" not in page  # DENY would contradict the embedding sites
        contact = desk.client.get("/contact").headers
        assert "frame-ancestors 'none'" in contact["content-security-policy"]
        assert contact["x-frame-options"] == "DENY"
        assert desk.client.get("/healthz").headers["x-frame-options"] == "DENY"


def test_a_chat_token_expires_and_is_not_a_magic_link(desk: WebDesk) -> None:
    token = start_chat(desk)
    assert desk.client.get(f"/my/{token}").status_code == 403
    desk.clock.advance(chat.CHAT_MAX_AGE + timedelta(seconds=1))
    assert desk.client.get(f"/chat/{token}").status_code == 403
    assert desk.client.get(f"/chat/{token}/log").status_code == 286  # htmx stops polling
    r = desk.client.post(f"/chat/{token}/messages", data={"body": "late", "key": "k"})
    assert r.status_code == 403
    assert not [m for m in desk.store.tables.messages.values() if m.body == "late"]


def test_the_chat_script_is_a_static_file_of_the_project(desk: WebDesk) -> None:
    js = desk.client.get("/static/public/chat.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "/chat?lang=" in js.text and "http" not in js.text.split("*/", 1)[1]  # no CDN


@pytest.mark.parametrize("path", ["/contact", "/my", "/chat"])
def test_public_pages_have_no_inline_script(desk: WebDesk, path: str) -> None:
    html = desk.client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
