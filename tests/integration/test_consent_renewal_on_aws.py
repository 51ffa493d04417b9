"""§12 consent renewal through the real adapters, wiring and entry point, against moto: one mail per
affected person from the hourly job, the request claimed by a conditional write, the link's secret kept
only hashed, and the consent recorded on the record with its ledger entry."""

from __future__ import annotations

import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from local import outbox
from local.gateway import Gateway
from policybound import policy, tables
from policybound.adapters.dynamodb import record_from_item
from policybound.api.public.app import create_app
from policybound.domain.core.clock import FixedClock
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.evidence.ledger_audit import verify_one
from policybound.policy import Purpose
from tests.conftest import VALID_FIELDS, submission
from tests.integration.test_api_grants_on_aws import Recorder, recording_wiring, spec, ungranted
from tests.support.aws import AwsApi
from tests.support.policy_versions import AFTER, FIRST, SECOND

MINJI = VALID_FIELDS["contact-us"]["email"]
LINK = re.compile(r"https://api\.example\.com/v1/consent-renewals\?token=(\S+)")
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def records(api: AwsApi) -> dict[str, Any]:
    items = api.dynamodb.scan(TableName=api.tables[tables.RECORDS.env_var])["Items"]
    return {item["submission_id"]["S"]: item for item in items}


def test_a_version_in_force_asks_once_and_the_link_records_consent(
    aws_api: AwsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, SECOND))
    ids = []
    for _ in range(2):
        response = aws_api.client.post("/v1/forms/contact-us", data=json.dumps(submission("contact-us")), headers=JSON)
        assert response.status_code == 201, response.get_data(as_text=True)
        ids.append(response.get_json()["submission_id"])
    blog = aws_api.client.post(
        "/v1/forms/blog-subscription", data=json.dumps(submission("blog-subscription")), headers=JSON
    )
    assert blog.status_code == 201
    sent_before = len(outbox.sent_mail())

    from entrypoints import consent_renewer

    clock = aws_api.wiring.clock
    assert isinstance(clock, FixedClock)
    clock.at = AFTER
    summary = consent_renewer.renew(aws_api.wiring, lambda: 10**9)
    assert (summary["people_mailed"], summary["records_asked"]) == (1, 2)
    mails = outbox.sent_mail()[sent_before:]
    assert [m["to"] for m in mails] == [[MINJI]]
    token = LINK.search(mails[0]["text"])
    assert token is not None
    # Never twice for the same version.
    assert consent_renewer.renew(aws_api.wiring, lambda: 10**9)["people_mailed"] == 0
    assert len(outbox.sent_mail()) == sent_before + 1

    stored = records(aws_api)
    secret = token.group(1).split(".", 1)[1]
    assert secret not in json.dumps(stored, default=str)
    for submission_id in ids:
        record = record_from_item(stored[submission_id])
        assert record.consent.policy_version == FIRST.version
        assert record.consent_request is not None
        assert record.consent_request.version == SECOND.version

    shown = aws_api.client.get("/v1/consent-renewals", query_string={"token": token.group(1)}, headers=JSON)
    assert shown.status_code == 200
    assert shown.get_json()["status"] == "asked"
    # Email marketing, which the change adds, is given with its own consent (the page's checkbox).
    given = aws_api.client.post(
        "/v1/consent-renewals",
        query_string={"token": token.group(1)},
        data={"marketing": "true"},
        headers={"Accept": "application/json"},
    )
    assert given.status_code == 200, given.get_data(as_text=True)
    assert given.get_json()["status"] == "renewed"
    assert given.get_json()["purposes_given_apart"] == ["email_marketing"]
    stored = records(aws_api)
    for submission_id in ids:
        record = record_from_item(stored[submission_id])
        assert record.consent.policy_version == SECOND.version
        assert record.consent.purposes == (Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING)
        assert record.consent.renewed_at == datetime.fromisoformat(AFTER.isoformat())
    again = aws_api.client.post("/v1/consent-renewals", query_string={"token": token.group(1)}, headers=JSON)
    assert again.get_json()["status"] == "already_renewed"

    renewed = [
        e
        for e in aws_api.wiring.ports.ledger.entries(LedgerKind.CONSENT, limit=1000)
        if e.payload.get("event") == "consent_renewed"
    ]
    assert sorted(str(e.payload["submission_id"]) for e in renewed) == sorted(ids)
    ledger_text = json.dumps([e.payload for e in renewed])
    for value in VALID_FIELDS["contact-us"].values():
        assert value not in ledger_text
    # The renewals sit in the consent chain beside the sealed batches of given consents: it still verifies.
    aws_api.wiring.consent_sealing.run()
    assert verify_one(aws_api.wiring.ports.ledger, LedgerKind.CONSENT).broken is None


def test_the_renewer_and_the_link_use_only_what_their_specs_grant(
    aws_api: AwsApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Least privilege by use (as tests/integration/test_api_grants_on_aws.py does for the APIs): the
    ConsentRenewer's every AWS call is granted by its own spec, and the link's by the public API's."""
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, SECOND))
    response = aws_api.client.post("/v1/forms/contact-us", data=json.dumps(submission("contact-us")), headers=JSON)
    assert response.status_code == 201
    renewer_calls, public_calls = Recorder(), Recorder()
    clock = FixedClock(AFTER)
    from entrypoints import consent_renewer

    assert consent_renewer.renew(recording_wiring(renewer_calls, clock), lambda: 10**9)["people_mailed"] == 1
    assert ungranted(spec("ConsentRenewer"), renewer_calls.calls) == []
    used = {c[2] for c in renewer_calls.calls if c[0] in ("dynamodb", "kms")}
    granted = {os.environ[a.table.env_var] for a in spec("ConsentRenewer").tables} | {
        os.environ[k.key.env_var] for k in spec("ConsentRenewer").keys
    }
    assert used == granted  # and nothing granted goes unused

    token = LINK.search(outbox.sent_mail()[-1]["text"])
    assert token is not None
    public = create_app(aws_api.wiring.settings.allowed_origins)
    public.dependency_overrides.update(recording_wiring(public_calls, clock).providers())
    client = Client(Gateway(public.resolve, lambda: "{}", site_root=Path(__file__).parent, local_routes={}))
    assert client.get("/v1/consent-renewals", query_string={"token": token.group(1)}, headers=JSON).status_code == 200
    assert client.post("/v1/consent-renewals", query_string={"token": token.group(1)}, headers=JSON).status_code == 200
    assert ungranted(spec("PublicApi"), public_calls.calls) == []
