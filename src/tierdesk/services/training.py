"""Learning from the team: the store's corrected and resolved tickets as training data, and a
retrained model weighed against the one in force on texts neither was trained on.

A ticket teaches its first customer message and its category as it stands now: a person
corrected it (`triage_corrected`), or the ticket was worked to resolution under it (resolved or
closed). Open, uncorrected tickets teach nothing: their category is still the machine's guess.

`retrain` holds out a fixed slice (a ticket is held out by a hash of its id, so the slice does
not move between runs), trains a candidate on the rest, then triages the held-out texts with
the candidate and with the model version in force (or the phrases alone when none is), and
refuses the candidate when it is less accurate, with both figures. A kept candidate becomes a
draft model version (`propose`) that takes effect when a manager approves it
(`model_versions.approve`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tierdesk.domain.classifier import Classifier
from tierdesk.domain.routing import triage_ticket
from tierdesk.domain.rulebook import Rulebook
from tierdesk.domain.state import TicketStatus
from tierdesk.domain.triage import predict_all
from tierdesk.domain.triage_eval import EvalReport, score
from tierdesk.services import model_versions
from tierdesk.services.env import Env
from tierdesk.services.errors import Rejected
from tierdesk.services.records import ModelVersionRecord, TicketFilter
from tierdesk.services.users import LEAD_ROLES, actor

HELD_OUT_EVERY = 5  # one ticket in five is held out for the evaluation
MIN_PER_CATEGORY = 2  # training tickets a category needs to be learned
PAGE = 200
_WORKED = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})
TRAIN_ROLES = LEAD_ROLES | {"admin"}

Trainer = Callable[[Sequence[str], Sequence[str]], Classifier]


@dataclass(frozen=True)
class Example:
    ticket_id: str
    text: str
    category: str
    corrected: bool  # a person set the category (else the ticket was resolved under it)

    @property
    def held_out(self) -> bool:
        digest = hashlib.sha256(self.ticket_id.encode()).digest()
        return digest[0] % HELD_OUT_EVERY == 0


@dataclass(frozen=True)
class Retrained:
    """A candidate model and how it and the model in force triage the held-out slice."""

    model: Classifier
    trained_on: int
    corrected: int  # training examples a person corrected
    candidate: EvalReport
    in_force: EvalReport
    in_force_name: str
    left_out: tuple[str, ...] = ()  # categories with too few training tickets to learn


class WorseModel(Rejected):
    """The retrained model triages the held-out slice less accurately than the one in force."""

    code = "worse_model"


def examples(env: Env, *, actor_id: str | None = None) -> list[Example]:
    """Every corrected or resolved ticket's first customer message with its category, newest
    first. `actor_id` None is the operator at the command line; a user must be a lead, a
    manager or an admin."""
    with env.reader() as uow:
        if actor_id is not None:
            actor(uow, actor_id, TRAIN_ROLES, "read training data")
        found: list[Example] = []
        cursor: str | None = None
        while True:
            page = uow.tickets.search(TicketFilter(), limit=PAGE, cursor=cursor)
            for ticket in page.items:
                corrected = any(
                    e.kind == "triage_corrected" for e in uow.events.for_ticket(ticket.id)
                )
                if not corrected and ticket.status not in _WORKED:
                    continue
                first = next(
                    (m for m in uow.messages.for_ticket(ticket.id) if m.kind == "customer"), None
                )
                if first is not None and first.body.strip():
                    found.append(Example(ticket.id, first.body, ticket.category, corrected))
            cursor = page.next_cursor
            if cursor is None:
                return found


def evaluate(rules: Rulebook, held_out: Sequence[Example], model: Classifier | None) -> EvalReport:
    """How triage (the phrases, and `model` when given) categorizes the held-out texts."""
    texts = [e.text for e in held_out]
    guesses = [
        triage_ticket({"text": t}, rules, classifier=model, prediction=p).category
        for t, p in zip(texts, predict_all(model, texts), strict=True)
    ]
    return score(zip((e.category for e in held_out), guesses, strict=True))


def retrain(
    env: Env,
    train: Trainer,
    *,
    baseline: tuple[Classifier | None, str] | None = None,
    actor_id: str | None = None,
) -> Retrained:
    """Train a candidate on the store's examples (held-out slice excepted) and weigh it against
    `baseline` (a model, or None for the phrases alone, and its name), by default the model
    version in force (`model_versions.in_force`).

    Raises Rejected when there is nothing to learn or to evaluate on, and WorseModel (with
    both accuracies in its data) when the candidate triages the held-out slice worse.
    """
    data = examples(env, actor_id=actor_id)
    held = [e for e in data if e.held_out]
    counts = Counter(e.category for e in data if not e.held_out)
    # A category seen once cannot be learned (the trainer calibrates on two or more): its
    # ticket waits for a second one; its held-out tickets still count against both models.
    rare = tuple(sorted(c for c, n in counts.items() if n < MIN_PER_CATEGORY))
    learn = [e for e in data if not e.held_out and e.category not in rare]
    if len({e.category for e in learn}) < 2 or not held:
        raise Rejected(
            f"too little to learn from: {len(learn)} training and {len(held)} held-out tickets"
            " (corrected or resolved) in the store",
            training=len(learn),
            held_out=len(held),
        )
    in_force, in_force_name = _in_force(env) if baseline is None else baseline
    model = train([e.text for e in learn], [e.category for e in learn])
    candidate = evaluate(env.rules, held, model)
    current = evaluate(env.rules, held, in_force)
    if candidate.accuracy < current.accuracy:
        raise WorseModel(
            f"the retrained model is worse on {len(held)} held-out tickets: accuracy "
            f"{candidate.accuracy:.3f}, {in_force_name} {current.accuracy:.3f}; not saved",
            candidate=round(candidate.accuracy, 4),
            in_force=round(current.accuracy, 4),
            held_out=len(held),
        )
    return Retrained(
        model,
        len(learn),
        sum(e.corrected for e in learn),
        candidate,
        current,
        in_force_name,
        rare,
    )


def _in_force(env: Env) -> tuple[Classifier | None, str]:
    version, model = model_versions.in_force(env)
    return model, model_versions.name(version if model is not None else None)


def propose(
    env: Env, result: Retrained, payload: bytes, *, actor_id: str | None = None
) -> ModelVersionRecord:
    """Keep a retrained model (its bytes: `payload`) as a draft model version, with both
    evaluations, for a manager to approve."""
    return model_versions.propose(
        env,
        payload=payload,
        trained_on=result.trained_on,
        corrected=result.corrected,
        candidate=result.candidate,
        baseline=result.in_force,
        baseline_name=result.in_force_name,
        actor_id=actor_id,
    )
