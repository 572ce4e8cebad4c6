"""Reply templates for agents (R-TPL-1): the policy's templates in every language, and one
filled in for a ticket from what the helpdesk knows (the customer's name, the business, the
ticket reference, the agent, the tier's expected resolution time), so that only the parts an
agent must write are left as placeholders (`to_write`). A reply still holding one is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierdesk.domain.quality import Conversation, Message, StepCoverage, coverage
from tierdesk.domain.rulebook import Template
from tierdesk.domain.templates import render, unfilled
from tierdesk.services import clocks, notify
from tierdesk.services.env import Env
from tierdesk.services.errors import InvalidInput, NotFound
from tierdesk.services.unit import to_state
from tierdesk.services.users import NOTE_ROLES, actor

# What an agent writes in their own words, never filled in by the helpdesk.
AGENT_WRITES = frozenset({"issue", "action", "timeline", "next_steps"})


@dataclass(frozen=True)
class TemplateOut:
    """A template as the policy holds it: its text per language."""

    id: str
    use: str
    name: dict[str, str]
    body: dict[str, str]
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class FilledTemplate:
    """A template filled in for one ticket, in `language`; `to_write` lists what is left."""

    template_id: str
    ticket_id: str
    use: str
    language: str
    name: str
    body: str
    to_write: tuple[str, ...]


def _out(template: Template) -> TemplateOut:
    return TemplateOut(
        id=template.id,
        use=template.use,
        name=dict(template.name.texts),
        body=dict(template.body.texts),
        placeholders=template.placeholders,
    )


def list_templates(env: Env, *, actor_id: str) -> list[TemplateOut]:
    """Every template of the effective policy, in every language it is written in."""
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "read templates")
    return [_out(t) for t in env.rules.templates]


def fill(
    env: Env, *, ticket_id: str, template_id: str, actor_id: str, language: str | None = None
) -> FilledTemplate:
    """`template_id` filled in for the ticket, in the ticket's language (or `language`)."""
    rules = env.rules
    template = rules.template(template_id)
    if template is None:
        raise NotFound("template", template_id)
    with env.reader() as uow:
        user = actor(uow, actor_id, NOTE_ROLES, "read templates")
        record = uow.tickets.get(ticket_id)
        if record is None:
            raise NotFound("ticket", ticket_id)
        customer = uow.customers.get(record.customer_id)
    state = to_state(record)
    lang = language or state.language
    if not template.body.has(lang):
        known = ", ".join(code for code, _ in template.body.texts)
        raise InvalidInput("language", f"template {template_id} is written in {known}")
    values = notify.base_values(rules, state, customer) | clocks.due_values(rules, state)
    expected = clocks.expected_resolution(rules, state, state.tier, env.now())
    values |= {
        "agent": user.display_name,
        "expected_resolution": notify.fmt_time(expected, clocks.timezone(rules, state), lang),
    }
    for key in AGENT_WRITES:
        values.pop(key, None)
    body = render(template.body.get(lang), values, lang)
    return FilledTemplate(
        template_id=template.id,
        ticket_id=state.id,
        use=template.use,
        language=lang,
        name=template.name.get(lang),
        body=body,
        to_write=tuple(unfilled(body)),
    )


def reply_coverage(
    env: Env, *, ticket_id: str, actor_id: str, body: str
) -> tuple[StepCoverage, ...]:
    """Which steps of the policy's complaint frameworks (LAST, HEARD) the reply draft `body`
    covers, each with the sentence that shows it (R-TPL-2): the very detection QA scores a
    sent reply with (`domain.quality.coverage`), in the ticket's language. () on a ticket whose
    category no framework guides (not a complaint)."""
    with env.reader() as uow:
        actor(uow, actor_id, NOTE_ROLES, "read templates")
        record = uow.tickets.get(ticket_id)
        if record is None:
            raise NotFound("ticket", ticket_id)
    state = to_state(record)
    frameworks = env.rules.frameworks_for(state.category)
    if not frameworks:
        return ()
    draft = Conversation(state.language, (Message("reply", body, env.now()),), complaint=True)
    return coverage(draft, [body], frameworks)
