"""§12 in local mode, over HTTP: a later version that adds an item and a purpose to contact-us is
published (as a company would, by data alone); once a sweep runs past its effective date the person who
consented under the first version finds one mail in `/_local/outbox`, follows its link to the page and
consents with the page's button; their record then names the new version. This module runs its own local
mode, with that policy data."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator

import pytest
import requests

from local.environment import table_name
from policybound import policy, tables
from tests.conftest import VALID_FIELDS, submission
from tests.e2e.conftest import LocalServer, running_local
from tests.support.aws import item_key
from tests.support.link_pages import BROWSER
from tests.support.policy_versions import FIRST

pytestmark = pytest.mark.e2e

EMAIL = VALID_FIELDS["contact-us"]["email"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    data = tmp_path_factory.mktemp("policy_data")
    shutil.copy(policy.POLICY_DATA / FIRST.text_file, data / FIRST.text_file)
    shutil.copy(policy.POLICY_DATA / "facts.json", data / "facts.json")
    shipped = json.loads((policy.POLICY_DATA / "versions.json").read_text(encoding="utf-8"))
    later = {
        "version": "2027-03-01",
        "text": FIRST.text_file,
        "announced_on": "2026-11-02",
        "effective_date": "2027-03-01",
        "adds": ["item", "purpose"],
        "summary": {
            "en": "Department and email marketing on Contact Us.",
            "ko": "문의하기에 부서 및 이메일 마케팅 추가",
        },
        "forms": {
            "contact-us": {"optional_items": ["department"], "purposes": ["inquiry_response", "email_marketing"]}
        },
    }
    (data / "versions.json").write_text(json.dumps({"versions": [*shipped["versions"], later]}), encoding="utf-8")
    with running_local(extra_env={"POLICYBOUND_POLICY_DATA": str(data)}) as started:
        yield started


def test_a_version_in_force_mails_a_link_that_records_the_new_consent(server: LocalServer) -> None:
    with requests.Session() as http:
        announced = http.get(f"{server.api_url}/v1/policy", timeout=30).json()
        assert announced["version"] == FIRST.version
        assert [c["version"] for c in announced["upcoming_changes"]] == ["2027-03-01"]
        response = http.post(f"{server.api_url}/v1/forms/contact-us", json=submission("contact-us"), timeout=30)
        assert response.status_code == 201, response.text
        submission_id = response.json()["submission_id"]

        def mails() -> list[dict[str, object]]:
            outbox = http.get(f"{server.api_url}/_local/outbox", timeout=30).json()
            return [m for m in outbox if m["to"] == [EMAIL] and "동의 요청" in str(m["subject"])]

        # Before the effective date nobody is asked; after it, once, however often the sweep runs.
        before = http.post(f"{server.api_url}/_local/sweep", json={"as_of": "2027-02-28T23:00:00+09:00"}, timeout=120)
        assert before.json()["consent_requests"]["people_mailed"] == 0
        for _ in range(2):
            swept = http.post(
                f"{server.api_url}/_local/sweep", json={"as_of": "2027-03-01T09:00:00+09:00"}, timeout=120
            )
            assert swept.status_code == 200, swept.text
        assert len(mails()) == 1
        link = re.search(r"(http://\S+/v1/consent-renewals\?token=\S+)", str(mails()[0]["text"]))
        assert link is not None

        page = http.get(link.group(1), headers=BROWSER, timeout=30)
        assert page.status_code == 200
        assert "부서 (Department)" in page.text
        action = re.search(r'<form method="post" action="([^"]+)">', page.text)
        assert action is not None
        # Email marketing, which the change adds, is its own unticked checkbox in the form.
        assert re.search(r'<input type="checkbox" name="marketing" value="true">', page.text)
        # The page's button with the box ticked: a plain form POST to the same path.
        given = http.post(
            link.group(1).split("?", 1)[0] + action.group(1).replace("&amp;", "&"),
            data={"marketing": "true"},
            headers=BROWSER,
            timeout=30,
        )
        assert given.status_code == 200
        assert "동의가 완료되었습니다" in given.text

        item = server.aws("dynamodb").get_item(
            TableName=table_name(tables.RECORDS), Key=item_key(tables.RECORDS, submission_id)
        )["Item"]
        assert item["consent"]["M"]["policy_version"]["S"] == "2027-03-01"
        assert [p["S"] for p in item["consent"]["M"]["purposes"]["L"]] == ["inquiry_response", "email_marketing"]
