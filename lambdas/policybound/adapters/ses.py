"""SES: sends the system's emails as raw MIME so that List-Unsubscribe headers reach the reader."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from policybound.adapters.aws import translate_errors
from policybound.domain.core.ports import OutgoingMail


class SesMailer:
    def __init__(self, ses: Any, sender: str) -> None:
        self._ses = ses
        self._sender = sender

    def send(self, mail: OutgoingMail) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = ", ".join(mail.to)
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self._sender.rsplit("@", 1)[-1])
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.text, charset="utf-8")
        with translate_errors("SES"):
            self._ses.send_raw_email(
                Source=self._sender, Destinations=list(mail.to), RawMessage={"Data": message.as_bytes()}
            )
