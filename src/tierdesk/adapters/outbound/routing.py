"""Which sender delivers an outbox message: the one place that decides.

A message goes to the sender of its kind when there is one (webhooks), else to the sender of the
channel it is delivered on (`notify.delivery_channel`: a web form or chat ticket is answered by
email), else to the default (the development mailbox file).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tierdesk.services.notify import delivery_channel
from tierdesk.services.records import OutboxRecord

Send = Callable[[OutboxRecord], None]


class RoutingSender:
    """A `Sender` that hands each message to the sender of its kind, else of its delivery
    channel ("email", "line", "sms"), else to `default`."""

    def __init__(
        self,
        default: Send,
        by_kind: Mapping[str, Send] | None = None,
        by_channel: Mapping[str, Send] | None = None,
    ) -> None:
        self._default = default
        self._by_kind = dict(by_kind or {})
        self._by_channel = dict(by_channel or {})

    def route(self, message: OutboxRecord) -> Send:
        """The sender `message` goes to."""
        by_kind = self._by_kind.get(message.kind)
        if by_kind is not None:
            return by_kind
        return self._by_channel.get(delivery_channel(message.channel), self._default)

    def __call__(self, message: OutboxRecord) -> None:
        self.route(message)(message)
