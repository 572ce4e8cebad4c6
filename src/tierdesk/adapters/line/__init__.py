"""LINE through the official line-bot-sdk (v3): webhook parsing and the outbox's sender."""

from tierdesk.adapters.line.sender import LineSender as LineSender
from tierdesk.adapters.line.webhook import LineSignatureError as LineSignatureError
from tierdesk.adapters.line.webhook import LineWebhook as LineWebhook
