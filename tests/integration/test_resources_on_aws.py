"""Resources through the real adapters on moto: the catalogue is published, an accepted download mails
a time-limited presigned link that returns the file, and an unknown resource is refused unstored."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests
from werkzeug.test import TestResponse

from local.environment import bucket_name
from local.outbox import sent_mail
from policybound import tables
from policybound.catalogue import RESOURCES
from policybound.domain.purposes.resource_delivery import LINK_VALID_FOR
from policybound.policy import AWS_REGION
from stacks.paths import SAMPLE_RESOURCES_DIR
from tests.conftest import submission
from tests.support.aws import AwsApi


def _post(aws_api: AwsApi, body: object) -> TestResponse:
    return aws_api.client.post(
        "/v1/forms/resources-download", data=json.dumps(body), headers={"Content-Type": "application/json"}
    )


def test_the_catalogue_is_published_with_both_titles(aws_api: AwsApi) -> None:
    listed = aws_api.client.get("/v1/resources").get_json()["resources"]
    assert [r["resource_id"] for r in listed] == [r.resource_id for r in RESOURCES]
    assert all(r["title"]["en"] and r["title"]["ko"] for r in listed)


def test_every_catalogue_resource_has_its_file_in_the_private_encrypted_bucket(aws_api: AwsApi) -> None:
    s3 = boto3.client("s3", region_name=AWS_REGION)
    name = bucket_name(tables.RESOURCE_FILES)
    for resource in RESOURCES:
        head = s3.head_object(Bucket=name, Key=resource.object_key)
        assert head["ServerSideEncryption"] == "AES256"
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"]
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == AWS_REGION


def test_an_accepted_download_mails_a_time_limited_link_that_returns_the_file(aws_api: AwsApi) -> None:
    wanted = RESOURCES[1]
    response = _post(
        aws_api, submission("resources-download", resource_id=wanted.resource_id, email="dl@example.co.kr")
    )
    assert response.status_code == 201, response.get_data(as_text=True)

    mail = [m for m in sent_mail() if m["to"] == ["dl@example.co.kr"]][-1]
    assert wanted.title.en in mail["text"]
    assert wanted.title.ko in mail["text"]
    link = next(word for word in mail["text"].split() if word.startswith("http"))
    query = parse_qs(urlparse(link).query)
    assert query["X-Amz-Expires"] == [str(int(LINK_VALID_FOR.total_seconds()))]
    assert urlparse(link).path.endswith(wanted.object_key)
    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == (SAMPLE_RESOURCES_DIR / wanted.file_name).read_bytes()


@pytest.mark.parametrize("resource_id", ["no-such-paper", "cloud-whitepaper-2019x", "AI-BROCHURE-2019"])
def test_an_unknown_resource_is_refused_and_nothing_is_stored_or_mailed(aws_api: AwsApi, resource_id: str) -> None:
    before = len(sent_mail())
    response = _post(aws_api, submission("resources-download", resource_id=resource_id))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert [d["field"] for d in error["details"]] == ["fields.resource_id"]
    assert aws_api.scan_all()[aws_api.wiring.settings.records_table] == []
    assert len(sent_mail()) == before


def test_a_download_whose_mail_fails_is_not_kept(aws_api: AwsApi, monkeypatch: pytest.MonkeyPatch) -> None:
    from policybound.domain.core.errors import Unavailable

    def refuse(*_: object, **__: object) -> None:
        raise Unavailable("SES")

    monkeypatch.setattr(aws_api.wiring.ports.mailer, "send", refuse)
    response = _post(aws_api, submission("resources-download"))
    assert response.status_code == 503
    assert aws_api.scan_all()[aws_api.wiring.settings.records_table] == []


def _file_links(address: str) -> list[str]:
    """The file link of each mail to `address` that carries one."""
    links = []
    for mail in sent_mail():
        words = [w for w in mail["text"].split() if w.startswith("http") and "X-Amz-Expires" in w]
        if mail["to"] == [address] and words:
            links.append(words[0])
    return links


def test_a_childs_download_gets_its_link_when_the_legal_representative_confirms(aws_api: AwsApi) -> None:
    import re

    wanted = RESOURCES[0]
    body = submission("resources-download", resource_id=wanted.resource_id, email="child@example.co.kr")
    body["consent"]["under_14"] = True
    body["legal_representative"] = {"name": "Park Parent", "email": "parent@example.co.kr"}
    response = _post(aws_api, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    submission_id = response.get_json()["submission_id"]
    assert _file_links("child@example.co.kr") == []  # nothing is used before the consent

    code = re.search(
        r"Consent code: (\d{6})", [m for m in sent_mail() if m["to"] == ["parent@example.co.kr"]][-1]["text"]
    )
    assert code
    confirmed = aws_api.client.post(
        "/v1/rights/guardian-confirmations",
        data=json.dumps({"submission_id": submission_id, "code": code[1]}),
        headers={"Content-Type": "application/json"},
    )
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    [link] = _file_links("child@example.co.kr")
    assert parse_qs(urlparse(link).query)["X-Amz-Expires"] == [str(int(LINK_VALID_FOR.total_seconds()))]
    assert _file_links("parent@example.co.kr") == []
    fetched = requests.get(link, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == (SAMPLE_RESOURCES_DIR / wanted.file_name).read_bytes()
