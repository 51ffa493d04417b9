"""Letters through the real adapters on moto: the audience (blog subscribers, downloaders who consented
to marketing) gets one mail each with its own one-click link, through the queue and the real sender;
a redelivered batch mails nobody twice; an unsubscribe in between is honoured; one access record names
every recipient."""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from local.letter_queue import LetterQueuePoller
from local.outbox import sent_mail
from policybound import tables
from policybound.api.staff.auth import Role
from policybound.domain.core.ledger import LedgerKind
from policybound.letter_batches import handle_batches
from policybound.policy import AWS_REGION
from tests.conftest import submission
from tests.support.aws import StaffOnAws, staff_on_aws
from tests.support.staff import json_of


class Letters(StaffOnAws):
    poller: LetterQueuePoller

    def submit(self, form: str, **fields: Any) -> str:
        body = submission(form, **fields)
        if form == "resources-download":
            body["consent"]["marketing"] = fields.pop("marketing", True) if "marketing" in fields else True
        return self.post_form(form, body)

    def send(self, subject: str) -> dict[str, Any]:
        response = self.as_role(Role.STAFF).post(
            "/v1/staff/letters",
            data=json.dumps({"subject": subject, "body": "News of the month.\n이달의 소식."}),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        return dict(json_of(response))

    def drain(self) -> None:
        while self.poller.poll_once():
            pass


@pytest.fixture
def letters(moto_aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Letters:
    result = staff_on_aws(monkeypatch, Letters)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return handle_batches(result.wiring, event, context)

    sqs = boto3.client("sqs", region_name=AWS_REGION)
    result.poller = LetterQueuePoller(sqs, os.environ[tables.LETTER_QUEUE.env_var], handler, wait_seconds=0)
    return result


def _mails(subject: str) -> list[dict[str, Any]]:
    return [m for m in sent_mail() if m["subject"] == subject]


def test_a_letter_reaches_the_audience_once_each_with_its_own_one_click_link(letters: Letters) -> None:
    blog = letters.submit("blog-subscription", email="reader@example.co.kr")
    downloader = letters.submit("resources-download", email="dl@example.co.kr")
    letters.submit("resources-download", email="nomarketing@example.co.kr", marketing=False)
    letters.submit("contact-us", email="asker@example.co.kr")

    queued = letters.send("Blog letter no. 1")
    assert queued["recipients"] == 2
    letters.drain()

    mails = _mails("Blog letter no. 1")
    assert sorted(m["to"][0] for m in mails) == ["dl@example.co.kr", "reader@example.co.kr"]
    links = {m["headers"]["List-Unsubscribe"] for m in mails}
    assert len(links) == 2
    assert all(m["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click" for m in mails)
    assert all(link.startswith("<https://api.example.com/v1/unsubscribe?token=") for link in links)
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"] == {"sent": 2, "skipped": 0, "failed": 0, "pending": 0}
    assert counts["complete"] is True
    (record,) = [
        e.payload
        for e in letters.wiring.ports.ledger.entries(LedgerKind.ACCESS, limit=1000)
        if e.payload["route"] == "POST /v1/staff/letters"
    ]
    recipients = record["submission_ids"]
    assert isinstance(recipients, list)
    assert sorted(recipients) == sorted([blog, downloader])
    assert "reader@example.co.kr" not in json.dumps(record)


def test_a_redelivered_batch_mails_nobody_twice(letters: Letters) -> None:
    letters.submit("blog-subscription", email="once@example.co.kr")
    queued = letters.send("Only once")
    sqs = letters.poller.sqs
    (message,) = sqs.receive_message(QueueUrl=letters.poller.queue_url, MaxNumberOfMessages=1)["Messages"]
    from local.letter_queue import sqs_event

    event = sqs_event([message], "arn:aws:sqs:ap-northeast-2:123456789012:letters")
    letters.poller.handler(event, None)
    letters.poller.handler(event, None)  # the same batch again, as after a lost acknowledgment
    assert len(_mails("Only once")) == 1
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"]["sent"] == 1


def test_whoever_unsubscribes_before_their_turn_is_skipped(letters: Letters) -> None:
    letters.submit("blog-subscription", email="stays@example.co.kr")
    letters.submit("resources-download", email="leaves@example.co.kr")
    letters.send("First")
    letters.drain()
    (leaving,) = [m for m in _mails("First") if m["to"] == ["leaves@example.co.kr"]]
    query = urlparse(leaving["headers"]["List-Unsubscribe"].strip("<>")).query
    queued = letters.send("Second")  # queued before the click, sent after it
    click = letters.public.post(
        f"/v1/unsubscribe?{query}", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert click.status_code == 200, click.get_data(as_text=True)
    letters.drain()
    assert [m["to"] for m in _mails("Second")] == [["stays@example.co.kr"]]
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"] == {"sent": 1, "skipped": 1, "failed": 0, "pending": 0}
    # The downloader withdrew marketing only: the record of the download stays, without email_marketing.
    records = letters.wiring.ports.dynamodb.scan(TableName=letters.wiring.settings.records_table)["Items"]
    purposes = [
        [p["S"] for p in r["consent"]["M"]["purposes"]["L"]] for r in records if r["form"]["S"] == "resources-download"
    ]
    assert purposes == [["resource_delivery"]]
    assert letters.send("Third")["recipients"] == 1


def test_letters_need_a_subject_and_a_body_and_a_staff_role(letters: Letters) -> None:
    staff = letters.as_role(Role.STAFF)
    for body in ({"subject": "", "body": "x"}, {"subject": "a\nBcc: x@example.com", "body": "x"}, {"subject": "s"}):
        response = staff.post("/v1/staff/letters", data=json.dumps(body), headers={"Content-Type": "application/json"})
        assert response.status_code == 422, body
    response = letters.as_role(Role.AUDITOR).post(
        "/v1/staff/letters",
        data=json.dumps({"subject": "s", "body": "b"}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 403
    assert staff.get("/v1/staff/letters/00000000-0000-4000-8000-000000000000").status_code == 404


def _audience(letters: Letters, role: Role = Role.STAFF) -> Any:
    return letters.as_role(role).get("/v1/staff/letters/audience")


def _access_entries(letters: Letters) -> int:
    return len(letters.wiring.ports.ledger.entries(LedgerKind.ACCESS, limit=1000))


def test_the_audience_count_is_whom_a_letter_would_reach_and_names_nobody(letters: Letters) -> None:
    assert json_of(_audience(letters)) == {"count": 0}
    letters.submit("blog-subscription", email="counted@example.co.kr")
    letters.submit("resources-download", email="counted.dl@example.co.kr")
    letters.submit("resources-download", email="not.counted@example.co.kr", marketing=False)
    letters.submit("contact-us", email="asker@example.co.kr")
    before = _access_entries(letters)
    answered = _audience(letters)
    assert answered.status_code == 200
    assert json_of(answered) == {"count": 2}
    # A count is no access to anyone's data: nothing is opened and no access record is written.
    assert _access_entries(letters) == before
    assert "counted" not in answered.get_data(as_text=True)
    assert letters.send("Counted")["recipients"] == json_of(_audience(letters))["count"]

    letters.drain()
    (leaving,) = [m for m in _mails("Counted") if m["to"] == ["counted@example.co.kr"]]
    query = urlparse(leaving["headers"]["List-Unsubscribe"].strip("<>")).query
    click = letters.public.post(
        f"/v1/unsubscribe?{query}", data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert click.status_code == 200, click.get_data(as_text=True)
    assert json_of(_audience(letters)) == {"count": 1}


def test_the_audience_count_is_for_the_pi_handlers_only(letters: Letters) -> None:
    assert _audience(letters, Role.PI_MANAGER).status_code == 200
    assert _audience(letters, Role.AUDITOR).status_code == 403


def _batches(letters: Letters) -> list[tuple[str, list[str]]]:
    """Every queued batch, taken off the queue (the test hands them to the sender itself)."""
    from policybound.adapters.letters import parse_batch_message

    taken = []
    sqs, url = letters.poller.sqs, letters.poller.queue_url
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            taken.append(parse_batch_message(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return taken


def test_a_batch_costs_the_same_few_database_calls_however_many_recipients_it_holds(letters: Letters) -> None:
    from collections import Counter

    from policybound.domain.purposes.letters import BATCH_SIZE

    for n in range(BATCH_SIZE):
        letters.submit("blog-subscription", email=f"many{n}@example.co.kr")
    letters.send("Counted")
    ((letter_id, ids),) = _batches(letters)
    assert len(ids) == BATCH_SIZE
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[f"{model.service_model.service_name}:{model.name}"] += 1

    for client in (letters.wiring.ports.dynamodb, letters.wiring.ports.kms, letters.wiring.ports.ses):
        client.meta.events.register("before-call.*.*", count)
    result = letters.wiring.letter_sender.deliver(letter_id, ids)
    assert result.sent == BATCH_SIZE
    # The letter, the records, one claim, their keys, one settlement: not one round trip per recipient.
    assert {k: v for k, v in calls.items() if k.startswith("dynamodb:")} == {
        "dynamodb:GetItem": 1,
        "dynamodb:BatchGetItem": 2,
        "dynamodb:TransactWriteItems": 2,
    }
    assert calls["ses:SendRawEmail"] == BATCH_SIZE
    assert calls["kms:GenerateMac"] == BATCH_SIZE  # each link's keyed hash: its key never leaves KMS
    assert calls["kms:Decrypt"] <= 1  # the one KEK the records share, unwrapped once
    assert len({m["to"][0] for m in _mails("Counted")}) == BATCH_SIZE


def test_a_batch_partly_delivered_before_mails_only_the_rest(letters: Letters) -> None:
    for n in range(3):
        letters.submit("blog-subscription", email=f"part{n}@example.co.kr")
    queued = letters.send("Partly")
    ((letter_id, ids),) = _batches(letters)
    sender = letters.wiring.letter_sender
    assert sender.deliver(letter_id, ids[:1]).sent == 1
    again = sender.deliver(letter_id, ids)
    assert (again.sent, again.already) == (2, 1)
    assert sorted(m["to"][0] for m in _mails("Partly")) == [f"part{n}@example.co.kr" for n in range(3)]
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"] == {"sent": 3, "skipped": 0, "failed": 0, "pending": 0}


def test_a_throttled_batch_keeps_what_it_sent_and_sends_the_rest_on_redelivery(letters: Letters) -> None:
    from policybound.domain.core.errors import MailThrottled
    from policybound.domain.purposes.letters import LetterSender

    for n in range(4):
        letters.submit("blog-subscription", email=f"slow{n}@example.co.kr")
    queued = letters.send("Throttled")
    ((letter_id, ids),) = _batches(letters)
    wiring = letters.wiring

    class ThrottledAfterTwo:
        sent = 0

        def send(self, mail: Any) -> None:
            if self.sent == 2:
                raise MailThrottled()
            self.sent += 1
            wiring.ports.mailer.send(mail)

    def sender(mailer: Any) -> LetterSender:
        return LetterSender(
            wiring.ports.letter_store,
            wiring.reader,
            wiring.ports.keyed_hash,
            mailer,
            wiring.clock,
            wiring.unsubscribe_url,
        )

    with pytest.raises(MailThrottled):
        sender(ThrottledAfterTwo()).deliver(letter_id, ids)
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"] == {"sent": 2, "skipped": 0, "failed": 0, "pending": 2}
    again = sender(wiring.ports.mailer).deliver(letter_id, ids)  # the batch comes back after its visibility timeout
    assert (again.sent, again.already) == (2, 2)
    assert sorted(m["to"][0] for m in _mails("Throttled")) == [f"slow{n}@example.co.kr" for n in range(4)]
    counts = json_of(letters.as_role(Role.STAFF).get(f"/v1/staff/letters/{queued['letter_id']}"))
    assert counts["deliveries"] == {"sent": 4, "skipped": 0, "failed": 0, "pending": 0}
