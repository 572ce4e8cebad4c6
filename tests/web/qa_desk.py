"""Worked conversations for the QA tests (API, console, browser): tickets replied to and
resolved through the services, a good one and a curt one, in English and Chinese."""

from __future__ import annotations

from datetime import timedelta

from web_desk import WebDesk

from tierdesk.services import conversation, lifecycle

KETTLE = "My new kettle arrived broken and leaks water, I am very disappointed"  # L2 complaint
ORDER_ZH = "我的訂單 #12345 還沒到，已經一週了"  # L1, zh-TW
GOOD_EN = (
    "Hello Mei, my name is Ann from Example Co. I'm sorry your kettle arrived broken. "
    "We will send a replacement within 2 business days. Thank you for letting us know. "
    "Is there anything else I can help with?"
)
GOOD_ZH = (
    "您好，我是 Example Co. 的客服專員。很抱歉讓您久等了。"
    "我們會在 2 個工作天內為您補寄商品。請問還有什麼需要協助的嗎？"
)


def worked(desk: WebDesk, text: str, reply: str, *, agent: str, email: str) -> str:
    """A ticket assigned to `agent`, answered with `reply` and resolved: its id."""
    ticket = desk.open_ticket(text, email=email)
    env, ids = desk.env, desk.user
    lifecycle.assign(env, ticket_id=ticket["id"], actor_id=ids["team_lead"], assignee_id=ids[agent])
    desk.clock.advance(timedelta(minutes=20))
    conversation.reply(env, ticket_id=ticket["id"], actor_id=ids[agent], body=reply)
    lifecycle.resolve(env, ticket_id=ticket["id"], actor_id=ids[agent], summary="done")
    return str(ticket["id"])
