"""SES: sends the system's emails as raw MIME so that List-Unsubscribe headers reach the reader."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from botocore.exceptions import ClientError

from policybound.adapters.aws import translate_errors
from policybound.domain.core.errors import MailThrottled
from policybound.domain.core.ports import OutgoingMail

# SES error codes for a mail refused by the sending rate or the daily quota (never sent).
_THROTTLED = ("Throttling", "MaxSendingRateExceeded", "DailyQuotaExceeded")


@dataclass(eq=False, repr=False)
class SesMailer:
    """Sends mail through SES from the configured sender."""

    ses: Any
    sender: str

    def send(self, mail: OutgoingMail) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = ", ".join(mail.to)
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[-1])
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.text, charset="utf-8")
        try:
            with translate_errors("SES", passthrough=_THROTTLED):
                self.ses.send_raw_email(
                    Source=self.sender, Destinations=list(mail.to), RawMessage={"Data": message.as_bytes()}
                )
        except ClientError as error:
            # Refused before sending, by rate or daily quota: certainly unsent, so safe to send later.
            raise MailThrottled() from error
