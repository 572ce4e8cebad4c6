"""The public help centre (/help, no account): categories, search in both languages, article
pages with sanitized Markdown, "did this help?" once per visitor cookie, the contact page's
suggestion fragment, CSP without inline script."""

from __future__ import annotations

from web_desk import WebDesk

from tierdesk.services import kb


def _publish(desk: WebDesk, language: str, title: str, body: str, **kw: object) -> kb.ArticleView:
    view = kb.create_article(
        desk.env,
        actor_id=desk.user["agent_l1"],
        category=str(kw.pop("category", "returns_refunds")),
        language=language,
        title=title,
        body=body,
        **kw,  # type: ignore[arg-type]
    )
    aid = view.article.id
    kb.submit(desk.env, article_id=aid, language=language, actor_id=desk.user["agent_l1"])
    kb.publish(desk.env, article_id=aid, language=language, actor_id=desk.user["team_lead"])
    return kb.get_article(desk.env, aid, actor_id=desk.user["qa"])


def test_the_help_centre_lists_topics_and_finds_chinese_without_spaces(desk: WebDesk) -> None:
    _publish(desk, "zh-TW", "如何申請退款", "我想申請退款流程：請先**登入**。<script>x()</script>")
    _publish(desk, "zh-TW", "內部備忘", "退款的內部規則", audience="internal")
    home = desk.client.get("/help/zh-TW")
    assert home.status_code == 200
    assert "退貨" in home.text or "退款" in home.text  # the category's zh-TW label
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert "<script>" not in home.text.split("</head>")[1]  # no inline script in the body
    found = desk.client.get("/help/zh-TW/search", params={"q": "退款"})
    assert found.status_code == 200
    assert "如何申請退款" in found.text and "內部備忘" not in found.text
    none = desk.client.get("/help/zh-TW/search", params={"q": "包裹"})
    assert "如何申請退款" not in none.text
    assert desk.client.get("/help/fr").status_code == 404
    assert (
        desk.client.get(
            "/help", headers={"accept-language": "zh-TW"}, follow_redirects=False
        ).headers["location"]
        == "/help/zh-TW"
    )


def test_an_article_page_is_sanitized_and_votes_count_once_per_visitor(desk: WebDesk) -> None:
    view = _publish(
        desk, "en", "Refund policy", "Refunds within **7 days**.\n\n<img src=x onerror=alert(1)>"
    )
    slug = view.article.slug
    page = desk.client.get(f"/help/en/articles/{slug}")
    assert page.status_code == 200
    assert "<strong>7 days</strong>" in page.text and "<img" not in page.text  # shown as text
    assert "td_visitor" in page.cookies
    url = f"/help/en/articles/{slug}/vote"
    first = desk.client.post(url, data={"helpful": "yes"}, headers={"HX-Request": "true"})
    assert "Thank you for telling us" in first.text
    again = desk.client.post(url, data={"helpful": "no"}, headers={"HX-Request": "true"})
    assert "You answered already" in again.text
    assert kb.get_article(desk.env, view.article.id, actor_id=desk.user["qa"]).votes == {
        "en": (1, 0)
    }
    assert desk.client.get("/help/en/articles/no-such-article").status_code == 404
    assert desk.client.get(f"/help/zh-TW/articles/{slug}").status_code == 404  # not in zh-TW


def test_the_contact_page_fragment_suggests_articles_as_the_customer_types(desk: WebDesk) -> None:
    _publish(desk, "zh-TW", "如何申請退款", "我想申請退款流程")
    got = desk.client.get(
        "/help/suggest", params={"lang": "zh-TW", "subject": "退款", "message": "我要退款"}
    )
    assert got.status_code == 200 and "如何申請退款" in got.text
    empty = desk.client.get("/help/suggest", params={"lang": "zh-TW", "subject": ""})
    assert "如何申請退款" not in empty.text
    contact = desk.client.get("/contact", params={"lang": "zh-TW"})
    assert 'id="kb-suggestions"' in contact.text and 'hx-get="/help/suggest"' in contact.text


def test_the_ticket_page_suggests_articles_to_insert_into_the_reply(desk: WebDesk) -> None:
    from console_client import signed_in

    view = _publish(desk, "zh-TW", "如何申請退款", "我想申請退款流程")
    ticket = desk.open_ticket("我想申請退款，東西壞了", email="lin@example.com")
    agent = signed_in(desk, "agent_l1")
    page = agent.get(f"/tickets/{ticket['id']}")
    assert f'hx-get="/tickets/{ticket["id"]}/kb"' in page.text
    panel = agent.get(f"/tickets/{ticket['id']}/kb")
    assert panel.status_code == 200, panel.text
    assert "如何申請退款" in panel.text and 'data-kb-insert="link"' in panel.text
    assert f"/help/zh-TW/articles/{view.article.slug}" in panel.text
    assert 'data-kb-insert="text"' in panel.text and "/static/help/kb-insert.js" in page.text
    assert agent.get("/tickets/t_nope/kb").status_code in (404, 200)


def test_a_visitor_who_searched_and_then_wrote_in_is_not_counted_as_deflected(
    desk: WebDesk,
) -> None:
    import re
    from datetime import timedelta

    from tierdesk.services import kb_public

    _publish(desk, "en", "How refunds work", "Refunds reach your card in 5 days.")
    start = desk.clock.now()
    desk.client.get("/help/suggest", params={"lang": "en", "subject": "refund"})
    assert desk.client.cookies.get("td_visitor")  # the help centre knows this visitor now
    form = desk.client.get("/contact").text
    token = re.search(r'name="token" value="([^"]+)"', form)
    assert token
    sent = desk.client.post(
        "/contact",
        data={"email": "mei@example.com", "message": "Still no refund", "token": token.group(1)},
    )
    assert sent.status_code == 200
    counts = kb_public.deflection(desk.env, start - timedelta(hours=1), start + timedelta(hours=1))
    assert (counts.visitors, counts.deflected) == (1, 0)
