"""The state of one demo seeding run and the small moves every ticket's life uses."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from tierdesk.services import lifecycle
from tierdesk.services.customers import Contact
from tierdesk.services.env import Env
from tierdesk.services.fake_clock import FakeClock
from tierdesk.services.records import TicketRecord
from tierdesk.services.users import ROLE_TIER

TIER_ROLE = {"L1": "agent_l1", "L2": "agent_l2", "L3": "agent_l3"}


@dataclass
class Sim:
    """One seeding run: the Env on the simulated clock, the random source (the only one, so a
    seed gives the same data), the demo users, and the customers seen per topic."""

    env: Env
    clock: FakeClock
    rng: random.Random
    by_role: dict[str, list[str]]  # role -> user ids
    recent: dict[str, list[Contact]] = field(default_factory=dict)  # topic -> customers
    serial: int = 0

    def agent(self, role: str) -> str:
        """A user of `role` (leads stand in when a role has nobody)."""
        return self.rng.choice(self.by_role.get(role) or self.by_role["team_lead"])

    def role(self, user_id: str) -> str:
        return next(role for role, ids in self.by_role.items() if user_id in ids)

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def ticket(self, ticket_id: str) -> TicketRecord:
        with self.env.uow() as uow:
            found = uow.tickets.get(ticket_id)
        if found is None:  # pragma: no cover - the demo only reads tickets it opened
            raise LookupError(f"demo ticket {ticket_id} vanished")
        return found

    def customer_name(self, ticket: TicketRecord) -> str:
        with self.env.uow() as uow:
            customer = uow.customers.get(ticket.customer_id)
        return customer.name if customer is not None else ""

    def signature(self, user_id: str, lang: str) -> str:
        """How an agent signs a reply: their name and the company's (QA's greeting item reads
        either in the first reply)."""
        with self.env.uow() as uow:
            user = uow.users.get(user_id)
        name, business = (user.display_name if user else ""), self.env.rules.business
        return f"{business} {name}" if lang == "zh-TW" else f"{name}, {business}"

    def holder(self, ticket_id: str, agent: str) -> str:
        """Who acts on the ticket now: `agent` while it is in their tier or below (or they
        lead), else an agent of the tier it was escalated to takes it over (R-TIER-1)."""
        own = ROLE_TIER.get(self.role(agent))
        tier = self.ticket(ticket_id).tier
        rules = self.env.rules
        if own is None or rules.tier_rank(own) >= rules.tier_rank(tier):
            return agent
        return self.take(ticket_id)

    def take(self, ticket_id: str) -> str:
        """Assign the ticket to an agent of its current tier (unless one has it already);
        returns the assignee's id."""
        ticket = self.ticket(ticket_id)
        role = TIER_ROLE.get(ticket.tier, "team_lead")
        if ticket.assignee_id is not None and self.role(ticket.assignee_id) == role:
            return ticket.assignee_id
        agent = self.agent(role)
        lifecycle.assign(self.env, ticket_id=ticket_id, actor_id=agent, assignee_id=agent)
        return agent
