"""§12: versions are announced ahead (7 days, 30 when they add an item, a purpose or a recipient), the
version in force switches on its effective date by the clock alone, and any published version can be read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from policybound import policy
from policybound.api.public.app import create_app, openapi_json
from policybound.domain.core.errors import NotFound
from policybound.domain.core.policy_document import policy_document
from policybound.policy import (
    Additions,
    ChangeKind,
    FormChange,
    FormId,
    PublishedVersion,
    Text,
    VersionRefused,
    check_versions,
)
from tests.conftest import UnitApi, submission
from tests.support.policy_versions import WITH_RECIPIENTS_TEXT, policy_data_with_recipients_text

FIRST = policy.VERSIONS[0]


def version(name: str, announced: date, effective: date, *adds: ChangeKind) -> PublishedVersion:
    return PublishedVersion(name, announced, effective, frozenset(adds), Text("A change", "변경"), FIRST.text_file)


def test_the_shipped_versions_keep_the_notice_periods() -> None:
    check_versions(policy.VERSIONS)
    assert (policy.NOTICE_DAYS, policy.NOTICE_DAYS_FOR_ADDITIONS) == (7, 30)


@pytest.mark.parametrize(
    ("days", "adds", "refused"),
    [
        (6, (), True),
        (7, (), False),
        (29, (ChangeKind.PURPOSE,), True),
        (29, (ChangeKind.ITEM,), True),
        (29, (ChangeKind.RECIPIENT,), True),
        (30, (ChangeKind.ITEM,), False),
    ],
)
def test_a_version_announced_too_late_is_refused(days: int, adds: tuple[ChangeKind, ...], refused: bool) -> None:
    effective = date(2027, 3, 1)
    versions = (FIRST, version("2027-03-01", effective - timedelta(days=days), effective, *adds))
    if refused:
        with pytest.raises(VersionRefused, match="2027-03-01"):
            check_versions(versions)
    else:
        check_versions(versions)


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> PublishedVersion:
    change = version("2027-03-01", date(2027, 1, 15), date(2027, 3, 1), ChangeKind.PURPOSE)
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    return change


def test_the_version_in_force_switches_on_its_effective_date_by_itself(announced: PublishedVersion) -> None:
    assert policy.version_in_force(date(2027, 2, 28)) is FIRST
    assert policy.version_in_force(date(2027, 3, 1)) is announced
    # Seoul's calendar decides: 1 March 00:30 in Seoul is still 28 February in UTC.
    assert policy.in_force_at(datetime.fromisoformat("2027-02-28T15:30:00+00:00")) == "2027-03-01"
    assert policy.in_force_at(datetime.fromisoformat("2027-02-28T14:30:00+00:00")) == FIRST.version


def test_until_then_the_current_text_is_served_with_the_notice(announced: PublishedVersion) -> None:
    before = policy_document("en", date(2027, 2, 1))
    assert before["version"] == FIRST.version
    assert before["in_force"] is True
    assert [c["version"] for c in before["upcoming_changes"]] == ["2027-03-01"]
    # The announced text is published: it can be read before it takes effect ...
    ahead = policy_document("en", date(2027, 2, 1), version="2027-03-01")
    assert ahead["in_force"] is False
    assert ahead["version_in_force"] == FIRST.version
    # ... but not before its announcement.
    with pytest.raises(NotFound):
        policy_document("en", date(2027, 1, 14), version="2027-03-01")
    after = policy_document("ko", date(2027, 3, 1))
    assert after["version"] == "2027-03-01"
    assert after["upcoming_changes"] == []
    # The old version stays readable for whoever consented to it.
    assert policy_document("en", date(2027, 3, 1), version=FIRST.version)["in_force"] is False


def test_an_unknown_version_is_not_found() -> None:
    with pytest.raises(NotFound):
        policy_document("en", date(2026, 12, 1), version="1999-01-01")


def test_get_policy_serves_a_version_or_404(unit_api: UnitApi) -> None:
    assert unit_api.client.get("/v1/policy", query_string={"version": FIRST.version}).status_code == 200
    missing = unit_api.client.get("/v1/policy", query_string={"version": "1999-01-01"})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_consent_must_name_the_version_in_force_by_date(unit_api: UnitApi, announced: PublishedVersion) -> None:
    """The 409 follows the clock: the unit API's clock is 2026-11-30, before the change takes effect."""
    body = submission("contact-us")
    body["consent"]["policy_version"] = announced.version
    refused = unit_api.client.post("/v1/forms/contact-us", json=body)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["current_version"] == FIRST.version
    accepted = unit_api.client.post("/v1/forms/contact-us", json=submission("contact-us"))
    assert accepted.status_code == 201


def _with_interests() -> PublishedVersion:
    """A second version that adds an optional item ("interests") to the resources download form."""
    return PublishedVersion(
        "2027-03-01",
        date(2027, 1, 15),
        date(2027, 3, 1),
        frozenset({ChangeKind.ITEM}),
        Text("Interests on the download form", "자료 다운로드 양식에 관심 분야 추가"),
        FIRST.text_file,
        (FormChange(FormId.RESOURCES_DOWNLOAD, optional_items=("department", "interests")),),
    )


def _download_form(document: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in document["forms"] if f["form"] == FormId.RESOURCES_DOWNLOAD.value)


def test_a_version_that_adds_an_item_without_saying_so_is_refused() -> None:
    change = _with_interests()
    silent = replace(change, adds=frozenset())
    with pytest.raises(VersionRefused, match="adds \\['interests'\\]"):
        check_versions((FIRST, silent))
    unknown = replace(change, form_changes=(FormChange(FormId.RESOURCES_DOWNLOAD, optional_items=("shoe_size",)),))
    with pytest.raises(VersionRefused, match="unknown"):
        check_versions((FIRST, unknown))
    check_versions((FIRST, change))


def test_each_version_serves_its_own_form_facts(with_interests: PublishedVersion) -> None:
    added = policy.additions(FIRST.version, with_interests.version, FormId.RESOURCES_DOWNLOAD)
    assert added == Additions(items=("interests",))
    assert not policy.additions(FIRST.version, with_interests.version, FormId.CONTACT_US)
    today = date(2027, 2, 1)
    old = _download_form(policy_document("en", today, version=FIRST.version))
    new = _download_form(policy_document("en", today, version=with_interests.version))
    assert [i["name"] for i in old["optional_items"]] == ["department"]
    assert [i["name"] for i in new["optional_items"]] == ["department", "interests"]

    # The §1.1 text of each version lists that version's items.
    def items_text(version: str) -> str:
        sections = policy_document("en", today, version=version)["sections"]
        return json.dumps(sections[0]["subsections"][0]["blocks"])

    assert '"Optional information: Department"' in items_text(FIRST.version)
    assert '"Optional information: Department, interests"' in items_text(with_interests.version)


def test_get_policy_follows_the_api_clock_across_the_effective_date(
    unit_api: UnitApi, with_interests: PublishedVersion
) -> None:
    # 1 March 00:30 in Seoul, still 28 February in UTC: Seoul's calendar decides.
    unit_api.clock.at = datetime.fromisoformat("2027-02-28T14:30:00+00:00")
    before = unit_api.client.get("/v1/policy").get_json()
    assert before["version"] == FIRST.version
    assert [c["version"] for c in before["upcoming_changes"]] == [with_interests.version]
    unit_api.clock.at = datetime.fromisoformat("2027-02-28T15:30:00+00:00")
    after = unit_api.client.get("/v1/policy").get_json()
    assert after["version"] == with_interests.version
    assert [i["name"] for i in _download_form(after)["optional_items"]] == ["department", "interests"]
    # An older version asked for by name still has its own facts.
    old = unit_api.client.get("/v1/policy", query_string={"version": FIRST.version}).get_json()
    assert [i["name"] for i in _download_form(old)["optional_items"]] == ["department"]


def test_intake_keeps_what_the_version_in_force_says(unit_api: UnitApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a version that adds a purpose to a form is in force, a new submission is kept for it too."""
    change = replace(
        _with_interests(),
        version="2026-11-01",
        announced_on=date(2026, 10, 1),
        effective_date=date(2026, 11, 1),
        adds=frozenset({ChangeKind.PURPOSE}),
        form_changes=(
            FormChange(FormId.CONTACT_US, purposes=(policy.Purpose.INQUIRY_RESPONSE, policy.Purpose.RESOURCE_DELIVERY)),
        ),
    )
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    body = submission("contact-us")
    body["consent"]["policy_version"] = change.version
    receipt = unit_api.client.post("/v1/forms/contact-us", json=body)
    assert receipt.status_code == 201, receipt.get_json()
    assert receipt.get_json()["purposes"] == ["inquiry_response", "resource_delivery"]
    assert receipt.get_json()["policy_version"] == change.version


@pytest.fixture
def with_interests(monkeypatch: pytest.MonkeyPatch) -> PublishedVersion:
    """The version adding interests, shipped after the first."""
    change = _with_interests()
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    return change


def _in_force_with_a_new_required_item() -> PublishedVersion:
    """In force on the unit API's clock (2026-11-30): resources download asks for the contact number too,
    and for interests as an optional item."""
    return replace(
        _with_interests(),
        version="2026-11-01",
        announced_on=date(2026, 10, 1),
        effective_date=date(2026, 11, 1),
        form_changes=(
            FormChange(
                FormId.RESOURCES_DOWNLOAD,
                required_items=("name", "email", "contact", "company", "job_grade", "resource_id"),
                optional_items=("department", "interests"),
            ),
        ),
    )


@pytest.fixture
def in_force(monkeypatch: pytest.MonkeyPatch) -> PublishedVersion:
    """The version in force on the unit API's clock (a new required item), shipped after the first."""
    change = _in_force_with_a_new_required_item()
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    return change


def test_a_later_version_collects_the_items_it_adds_by_its_data_alone(
    unit_api: UnitApi, in_force: PublishedVersion
) -> None:
    body = submission("resources-download", contact="010-2345-6789", interests="Cloud")
    assert body["consent"]["policy_version"] == in_force.version
    response = unit_api.client.post("/v1/forms/resources-download", json=body)
    assert response.status_code == 201, response.get_json()
    receipt = response.get_json()
    assert receipt["items_collected"] == [
        "name",
        "email",
        "contact",
        "company",
        "job_grade",
        "resource_id",
        "department",
        "interests",
    ]
    assert unit_api.store.records[receipt["submission_id"]].consent.policy_version == in_force.version
    # The new required item is required, and validated as its kind is.
    for missing_or_bad in (None, "call me"):
        refused = unit_api.client.post(
            "/v1/forms/resources-download", json=submission("resources-download", contact=missing_or_bad)
        )
        assert refused.status_code == 422
        assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["fields.contact"]
    assert len(unit_api.store.records) == 1


def test_before_the_version_takes_effect_its_items_are_not_collected(
    unit_api: UnitApi, in_force: PublishedVersion
) -> None:
    unit_api.clock.at = datetime.fromisoformat("2026-10-20T05:00:00+00:00")
    early = submission("resources-download", interests="Cloud", at=unit_api.clock.at)
    refused = unit_api.client.post("/v1/forms/resources-download", json=early)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"] == [
        {"field": "fields.interests", "problem": "is not a field of this form"}
    ]
    # A page shown before the switch and sent after it is told that the version changed, not that its
    # items are wrong: the body is read against the version it names.
    unit_api.clock.at = datetime.fromisoformat("2026-11-30T05:00:00+00:00")
    stale = submission("resources-download", at=datetime.fromisoformat("2026-10-20T05:00:00+00:00"))
    outdated = unit_api.client.post("/v1/forms/resources-download", json=stale)
    assert outdated.status_code == 409
    assert outdated.get_json()["error"]["current_version"] == in_force.version
    assert unit_api.store.records == {}


def test_the_openapi_document_states_each_form_as_the_version_in_force_does(
    unit_api: UnitApi, in_force: PublishedVersion
) -> None:

    def download_form(at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
        unit_api.clock.at = at
        document = json.loads(openapi_json(create_app(), unit_api.clock))
        operation = document["paths"]["/v1/forms/resources-download"]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        submission_schema = document["components"]["schemas"][ref]
        fields_ref = submission_schema["properties"]["fields"]["$ref"].rsplit("/", 1)[-1]
        return operation, document["components"]["schemas"][fields_ref] | {"examples": submission_schema["examples"]}

    operation, fields = download_form(datetime.fromisoformat("2026-10-20T05:00:00+00:00"))
    assert "contact" not in fields["properties"]
    assert "interests" not in fields["properties"]
    assert "contact" not in operation["description"]
    operation, fields = download_form(datetime.fromisoformat("2026-11-30T05:00:00+00:00"))
    assert "contact" in fields["required"]
    assert "interests" in fields["properties"]
    assert "Required items: name, email, contact," in operation["description"]
    assert set(fields["examples"][0]["fields"]) >= {"contact", "interests"}
    assert fields["examples"][0]["consent"]["policy_version"] == in_force.version


def test_a_companys_versions_file_states_forms_and_recipients_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another policy, or a later version, is files, not code: what a version adds is read from them."""
    later = {
        "version": "2027-03-01",
        "text": WITH_RECIPIENTS_TEXT,
        "announced_on": "2027-01-15",
        "effective_date": "2027-03-01",
        "adds": ["item", "recipient"],
        "summary": {"en": "A partner", "ko": "제휴사"},
        "forms": {"contact-us": {"optional_items": ["department"]}},
        "recipients": [
            {
                "name": {"en": "Example Partner Co.", "ko": "예시파트너 주식회사"},
                "purpose": {"en": "Joint seminars", "ko": "공동 세미나"},
                "items": ["name", "email"],
                "retention": {"en": "Until the seminar ends", "ko": "세미나 종료 시까지"},
                "forms": ["contact-us"],
            }
        ],
    }
    shipped = json.loads((policy.POLICY_DATA / "versions.json").read_text(encoding="utf-8"))
    policy_data_with_recipients_text(tmp_path)
    (tmp_path / "versions.json").write_text(json.dumps({"versions": [*shipped["versions"], later]}), encoding="utf-8")
    monkeypatch.setattr(policy, "POLICY_DATA", tmp_path)
    versions = policy._load_versions()
    check_versions(versions)
    monkeypatch.setattr(policy, "VERSIONS", versions)
    added = policy.additions(FIRST.version, "2027-03-01", FormId.CONTACT_US)
    assert added.items == ("department",)
    assert [(r.name.ko, r.items, r.forms) for r in added.recipients] == [
        ("예시파트너 주식회사", ("name", "email"), (FormId.CONTACT_US,))
    ]
    assert not policy.additions(FIRST.version, "2027-03-01", FormId.BLOG_SUBSCRIPTION)
    later["recipients"][0]["shoe_size"] = 42  # type: ignore[index]
    (tmp_path / "versions.json").write_text(json.dumps({"versions": [*shipped["versions"], later]}), encoding="utf-8")
    with pytest.raises(VersionRefused, match="shoe_size"):
        policy._load_versions()


def test_the_notice_periods_are_settings_of_the_policys_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A company that promises longer notice says so in versions.json, and the check holds it to that."""
    shipped = json.loads((policy.POLICY_DATA / "versions.json").read_text(encoding="utf-8"))
    assert shipped["notice_days"] == {"any_change": 7, "additions": 30}
    monkeypatch.setattr(policy, "POLICY_DATA", tmp_path)

    def notice(days: Any) -> policy.NoticePeriods:
        (tmp_path / "versions.json").write_text(json.dumps(shipped | {"notice_days": days}), encoding="utf-8")
        return policy._load_notice()

    longer = notice({"any_change": 14, "additions": 45})
    effective = date(2027, 3, 1)
    for days, adds, refused in (
        (13, (), True),
        (14, (), False),
        (44, (ChangeKind.ITEM,), True),
        (45, (ChangeKind.ITEM,), False),
    ):
        versions = (FIRST, version("2027-03-01", effective - timedelta(days=days), effective, *adds))
        if refused:
            with pytest.raises(VersionRefused, match=f"needs at least {longer.required(versions[1])}"):
                check_versions(versions, longer)
        else:
            check_versions(versions, longer)
    for bad in ({"any_change": 0}, {"any_change": 10, "additions": 5}, {"any_change": "7"}, {"weeks": 1}):
        with pytest.raises(VersionRefused, match="notice_days"):
            notice(bad)


# A recipient a later version names (§3), for the contact-us form's name and email.
PARTNER = policy.Recipient(
    Text("Example Partner Co.", "예시파트너 주식회사"),
    Text("Joint seminars", "공동 세미나"),
    ("name", "email"),
    Text("Until the seminar ends", "세미나 종료 시까지"),
    (FormId.CONTACT_US,),
)


def test_a_version_that_names_a_recipient_publishes_it_and_the_earlier_text_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    change = replace(
        version("2027-03-01", date(2027, 1, 15), date(2027, 3, 1), ChangeKind.RECIPIENT), recipients=(PARTNER,)
    )
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    shown = policy_document("ko", date(2027, 2, 1), version=change.version)["third_party_provision"]["recipients"]
    assert shown == [
        {
            "name": "예시파트너 주식회사",
            "purpose": "공동 세미나",
            "items": ["이름", "이메일"],
            "retention": "세미나 종료 시까지",
            "forms": ["contact-us"],
        }
    ]
    assert policy_document("en", date(2027, 2, 1))["third_party_provision"]["recipients"] == []


def test_a_versions_text_can_state_its_recipients_from_the_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page reads the text: a version's §3 lists its recipients through a `recipients` block."""
    change = replace(
        version("2027-03-01", date(2027, 1, 15), date(2027, 3, 1), ChangeKind.RECIPIENT),
        recipients=(PARTNER,),
        text_file=WITH_RECIPIENTS_TEXT,
    )
    monkeypatch.setattr(policy, "POLICY_DATA", policy_data_with_recipients_text(tmp_path))
    check_versions((FIRST, change))
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, change))
    policy.policy_text.cache_clear()
    try:
        sections = policy_document("ko", date(2027, 2, 1), version=change.version)["sections"]
    finally:
        policy.policy_text.cache_clear()
    table = next(s for s in sections if s["number"] == "3")["blocks"][-1]
    assert table == {
        "type": "table",
        "header": ["제공받는 자", "이용 목적", "제공 항목", "보유 및 이용 기간"],
        "rows": [["예시파트너 주식회사", "공동 세미나", "이름, 이메일", "세미나 종료 시까지"]],
    }


def test_a_version_that_names_recipients_must_list_them_in_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People consent to the text they read: recipients only in the facts beside it are refused."""
    change = replace(
        version("2027-03-01", date(2027, 1, 15), date(2027, 3, 1), ChangeKind.RECIPIENT), recipients=(PARTNER,)
    )
    with pytest.raises(VersionRefused, match=r"names recipients \('Example Partner Co\.'\) but its text"):
        check_versions((FIRST, change))
    # A later version that keeps the recipients (states none anew) must list them too.
    monkeypatch.setattr(policy, "POLICY_DATA", policy_data_with_recipients_text(tmp_path))
    listed = replace(change, text_file=WITH_RECIPIENTS_TEXT)
    kept = version("2027-05-01", date(2027, 4, 1), date(2027, 5, 1))
    check_versions((FIRST, listed))
    with pytest.raises(VersionRefused, match="policy version 2027-05-01 names recipients"):
        check_versions((FIRST, listed, kept))
    check_versions((FIRST, listed, replace(kept, text_file=WITH_RECIPIENTS_TEXT)))
