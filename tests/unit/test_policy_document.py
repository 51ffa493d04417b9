import json

import pytest

from policybound import policy
from policybound.domain.core.policy_document import policy_document, preferred_language
from tests.conftest import NOW, UnitApi

# The unit API's clock: the route serves the version in force by it.
TODAY = NOW.astimezone(policy.POLICY_TIMEZONE).date()


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("ko", "ko"),
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("en-US,en;q=0.9,ko;q=0.8", "en"),
        ("fr, ko;q=0.5", "ko"),
        ("de", "en"),
        ("ko;q=bad, en;q=0.1", "en"),
    ],
)
def test_language_follows_accept_language_quality(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_document_is_built_from_the_policy_module() -> None:
    doc = policy_document("en", TODAY)
    assert doc["version"] == policy.POLICY_VERSION
    assert doc["effective_date"] == policy.EFFECTIVE_DATE.isoformat()
    forms = {f["form"]: f for f in doc["forms"]}
    assert set(forms) == {f.value for f in policy.FormId}
    for form_id, spec in policy.FORMS.items():
        got = forms[form_id.value]
        assert [i["name"] for i in got["required_items"]] == list(spec.required_items)
        assert [i["name"] for i in got["optional_items"]] == list(spec.optional_items)
        assert [p["purpose"] for p in got["purposes"]] == [p.value for p in spec.purposes]
        assert got["retention_months"] == policy.RETENTION_MONTHS == 60
    [consignee] = doc["consignees"]
    assert consignee["company"] == "Amazon Web Services"
    assert consignee["region"] == "ap-northeast-2"
    assert {c["email"] for c in doc["contacts"]} == {"infosec01@lgcns.com", "mediapr@lgcns.com"}
    assert {c["name"] for c in doc["cookie_categories"]} == {"strictly_necessary", "analytics", "marketing"}
    assert [e["legal_basis"] for e in doc["third_party_provision"]["exceptions"]] == ["consent", "law_enforcement"]
    assert doc["auto_collected"][0] == "IP address"
    assert doc["upcoming_changes"] == []


def test_korean_document_has_the_same_facts_in_korean() -> None:
    en, ko = policy_document("en", TODAY), policy_document("ko", TODAY)
    assert ko["language"] == "ko"
    assert ko["forms"][0]["title"] == "문의하기"
    assert ko["consignees"][0]["duties"] == "데이터 보관 및 시스템 운영"
    strip = {"title", "label", "description", "duties", "country", "items", "retention", "role", "department"}
    strip |= {"transfer_time", "transfer_method"}
    # The published text's sections are compared block by block in test_policy_text.
    strip |= {"preamble", "sections", "effective"}

    def facts(doc: object) -> object:
        if isinstance(doc, dict):
            return {k: facts(v) for k, v in doc.items() if k not in strip and k != "language"}
        if isinstance(doc, list):
            return [facts(v) for v in doc] if not all(isinstance(v, str) for v in doc) else len(doc)
        return doc

    assert facts(en) == facts(ko)


def test_every_text_has_both_languages() -> None:
    texts = [t for t in vars(policy).values() if isinstance(t, policy.Text)]
    texts += [i.label for i in policy.ITEMS.values()] + list(policy.PURPOSE_TEXT.values())
    for text in texts:
        assert (text.en and text.ko and text.en != text.ko) or text.en == "LG CNS"


def test_get_policy_route_serves_the_document(unit_api: UnitApi) -> None:
    en = unit_api.client.get("/v1/policy")
    ko = unit_api.client.get("/v1/policy", headers={"Accept-Language": "ko-KR,ko;q=0.9"})
    assert en.status_code == ko.status_code == 200
    assert en.get_json() == json.loads(json.dumps(policy_document("en", TODAY)))
    assert ko.get_json()["language"] == "ko"


def test_openapi_document_lists_the_contract_routes(unit_api: UnitApi) -> None:
    doc = unit_api.client.get("/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for path in ("/v1/policy", "/v1/forms/contact-us", "/v1/forms/resources-download", "/v1/forms/blog-subscription"):
        assert path in doc["paths"]
    contact = doc["paths"]["/v1/forms/contact-us"]["post"]
    assert {"201", "400", "409", "413", "415", "422", "503"} <= set(contact["responses"])
    schema_name = contact["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields_ref = doc["components"]["schemas"][schema_name]["properties"]["fields"]["$ref"].rsplit("/", 1)[-1]
    fields = doc["components"]["schemas"][fields_ref]
    assert set(fields["required"]) == set(policy.FORMS[policy.FormId.CONTACT_US].required_items)
    assert fields["additionalProperties"] is False
