"""Use cases of the helpdesk: one function per command, each one transaction.

Every command takes an `Env` (unit-of-work factory, clock, rules) and keyword arguments, runs in
one unit of work and returns records (`tierdesk.services.records`). Ticket changes are events
folded into the ticket's state (`tierdesk.domain.state`); state, events and outbox messages are
committed together. Errors are `tierdesk.services.errors.ServiceError`s with a stable `code`.

Modules: tickets (open, batch open), queries (read, list), conversation (reply, note,
customer message, pending, resume), lifecycle (assign, resolve, reopen, close, merge, link,
call, identity, survey), escalations, approvals (authority, approvals, recovery actions),
customers, users, policies (document control), sweep (SLA sweeper), outbox (delivery).
Ports: `ports`; records: `records`; in-memory fakes: `memory`.
"""
