"""The fields of the public forms, checked for shape before a service sees them (what each
service refuses is mapped back onto the same fields), and errors shown per field."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Form

from tierdesk.services.customers import normalize_identity
from tierdesk.services.errors import InvalidInput, ServiceError

log = logging.getLogger("tierdesk.public")

MAX_NAME = 200
MAX_SUBJECT = 300
MAX_MESSAGE = 20_000
HONEYPOT = "website"  # a field people never see or fill; bots that fill every field do

# The form fields every public form has, with their size bounds.
EmailField = Annotated[str, Form(max_length=320)]
TokenField = Annotated[str, Form(max_length=500)]  # the signed form token (form_token)
HoneypotField = Annotated[str, Form(max_length=2000)]  # HONEYPOT's value
LangField = Annotated[str, Form(max_length=16)]
NameField = Annotated[str, Form(max_length=MAX_NAME + 1)]  # one more: "too long" is shown
MessageField = Annotated[str, Form(max_length=MAX_MESSAGE + 1)]

# A service's field name -> the form's.
_FIELDS = {
    "contact": "email",
    "value": "email",
    "email": "email",
    "text": "message",
    "body": "message",
    "subject": "subject",
    "name": "name",
}


def check_contact(
    email: str, message: str, name: str = "", subject: str = "", *, need_message: bool = True
) -> dict[str, str]:
    """The form's errors by field (an empty dict: fine). Codes, worded by the template."""
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = "missing"
    else:
        try:
            normalize_identity("email", email)
        except InvalidInput:
            errors["email"] = "invalid"
    if need_message and not message.strip():
        errors["message"] = "missing"
    elif len(message) > MAX_MESSAGE:
        errors["message"] = "long"
    if len(name) > MAX_NAME:
        errors["name"] = "long"
    if len(subject) > MAX_SUBJECT:
        errors["subject"] = "long"
    return errors


def service_errors(exc: ServiceError) -> dict[str, str]:
    """A service's refusal as the form's field errors ("form" when no field fits)."""
    field = str(exc.data.get("field", "")) if isinstance(exc, InvalidInput) else ""
    return {_FIELDS.get(field.rsplit(".", 1)[-1], "form"): "invalid"}


def trapped(value: str, form: str) -> bool:
    """True when the honeypot field was filled: a bot. Logged, never stored."""
    if value:
        log.info("public %s form: honeypot filled, nothing stored", form)
        return True
    return False
