"""The mail local mode's SES (moto) accepted, read from moto's own state in this process."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from policybound.policy import AWS_REGION

ACCOUNT_ID = "123456789012"


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def sent_mail() -> list[dict[str, Any]]:
    from moto.ses.models import ses_backends  # moto is local mode's dependency, never a Lambda one

    backend = ses_backends[ACCOUNT_ID][AWS_REGION]
    mails = []
    for sent in backend.sent_messages:
        raw = getattr(sent, "raw_data", None)
        if raw is None:
            continue
        message = message_from_bytes(raw.encode() if isinstance(raw, str) else raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        mails.append(
            {
                # moto lists a raw message's recipients once per header and per Destinations entry.
                "to": list(dict.fromkeys(getattr(sent, "destinations", []) or [message["To"]])),
                "subject": str(message["Subject"]),
                "text": _text_of(message),
                "headers": {name: str(value) for name, value in message.items()},
                "sent_at": message["Date"] and message["Date"].datetime.isoformat(),
            }
        )
    return mails
