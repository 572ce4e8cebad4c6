"""Outbound channels: adapters that deliver outbox messages (the `Sender` of
`tierdesk.services.outbox`). `file_sender.FileSender` is the development mailbox; SMTP and LINE
senders come later."""

from tierdesk.adapters.outbound.file_sender import FileSender

__all__ = ["FileSender"]
