"""The email worker: one thread per configured mailbox, polling it (IDLE where the server has
it) and taking each new mail in through `take` (parse + `services.email_intake.receive`,
composed in `tierdesk.bootstrap.email_take`).

A mail is acknowledged to the server only after `take` returned (its ticket or reply is
committed). A pass that fails (the server restarting, the database down) is logged and
retried after a growing pause by the common worker loop; the mailbox reconnects on the next
pass and reads again whatever was not acknowledged.
"""

from __future__ import annotations

import threading

from tierdesk.services.email_intake import Mailbox, Receiver
from tierdesk.workers.loop import StepResult, run_loop


def take_waiting(mailbox: Mailbox) -> dict[str, int]:
    """One pass over `mailbox`: take and acknowledge what is waiting; the outcomes by kind
    (ticket, reply, duplicate, auto_reply, ...). What `worker --once` and each step run."""
    source = mailbox.source
    outcomes: dict[str, int] = {}

    def take(raw: bytes) -> None:
        got = mailbox.take(source.name, raw)
        outcomes[got.outcome] = outcomes.get(got.outcome, 0) + 1

    source.poll(take)
    return outcomes


def mailbox_step(mailbox: Mailbox, stop: threading.Event) -> StepResult:
    """One pass, then (when nothing was waiting) an IDLE wait for new mail."""
    outcomes = take_waiting(mailbox)
    if outcomes:
        return StepResult(", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())), more=True)
    waited = mailbox.source.wait(stop)  # IDLE: the loop polls again at once after it
    return StepResult(None, more=waited)


def run_mailbox(mailbox: Mailbox, stop: threading.Event, *, max_pause: float = 300.0) -> int:
    """Poll `mailbox` until `stop` is set; returns the number of passes."""
    try:
        return run_loop(
            f"email {mailbox.source.name}",
            lambda: mailbox_step(mailbox, stop),
            stop,
            interval=mailbox.interval,
            max_pause=max_pause,
        )
    finally:
        mailbox.source.close()


def run_receiver(receiver: Receiver, stop: threading.Event) -> None:
    """Run a mail-receiving server (SMTP) until `stop` is set."""
    receiver.start()
    try:
        stop.wait()
    finally:
        receiver.stop()
