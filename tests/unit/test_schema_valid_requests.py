"""A request its schema accepts is never refused as malformed (400/422): what schemathesis calls a
"schema validation mismatch", judged in process on the operations whose rules go beyond one field
(closed sets of groups, an approval reference's shape, one legal basis with its own evidence, either
the records or the address, something to change), and on the addresses email-validator refuses.
Bodies are drawn by schemathesis itself from the served document, exactly as it would send them."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core import NOT_SET
from schemathesis.core.jsonschema.patterns import normalize_regex

from local.server import merge_openapi
from policybound.api import dependencies
from policybound.api.public.app import create_app, openapi_json
from policybound.api.staff.app import create_staff_app, staff_openapi_json
from policybound.api.staff.auth import Role
from policybound.domain.core.normalize import EMAIL_MAX_LENGTH, email_schema, normalize_email
from tests.conftest import VALID_FIELDS
from tests.support.gateways import public_client
from tests.support.retention import World
from tests.support.rights import RightsWorld, build_world
from tests.support.staff import StaffApi

DOCUMENT: dict[str, Any] = json.loads(merge_openapi(openapi_json(create_app()), staff_openapi_json(create_staff_app())))
OPERATIONS = schemathesis.openapi.from_dict(DOCUMENT)
# The account the group operations change; any other name is rightly 404 before its body is judged.
TARGET = "choi"
DRAWS = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def strategy(path: str, method: str) -> Any:
    return OPERATIONS[path][method].as_strategy()


def call(staff_api: StaffApi, case: Any) -> Any:
    manager = staff_api.as_role(Role.PI_MANAGER, username="park.manager", user_id="sub-manager")
    send = getattr(manager, case.method.lower())
    path = case.path
    for name, value in (case.path_parameters or {}).items():
        path = path.replace(f"{{{name}}}", TARGET if name == "username" else str(value))
    extra: dict[str, Any] = {"query_string": case.query} if case.query else {}
    if case.body is not None and case.body is not NOT_SET:
        extra["json"] = case.body
    return send(path, **extra)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/staff/users/{username}/groups", "POST"),
        ("/v1/staff/users/{username}/groups", "PUT"),
        ("/v1/staff/users/{username}/groups/{group}", "DELETE"),
    ],
)
def test_a_group_change_its_schema_accepts_passes_validation(staff_api: StaffApi, path: str, method: str) -> None:
    staff_api.directory.add(TARGET, "staff")

    @DRAWS
    @given(case=strategy(path, method))
    def judged(case: Any) -> None:
        response = call(staff_api, case)
        assert response.status_code not in (400, 422), (case.body, case.query, response.get_data(as_text=True))

    judged()


@pytest.fixture
def world(staff_api: StaffApi) -> RightsWorld:
    world = build_world()
    staff_api.app.dependency_overrides[dependencies.disclosure_service] = lambda: world.disclosures
    return world


def every_drawn_post_is_not_found(staff_api: StaffApi, path: str) -> None:
    """Each body drawn from the POST's schema passes validation and, naming nothing stored, is a 404."""

    @DRAWS
    @given(case=strategy(path, "POST"))
    def judged(case: Any) -> None:
        response = call(staff_api, case)
        assert response.status_code == 404, (case.body, response.get_data(as_text=True))

    judged()


def test_a_provision_its_schema_accepts_passes_validation(staff_api: StaffApi, world: RightsWorld) -> None:
    # The drawn records do not exist: past validation, that is the answer.
    every_drawn_post_is_not_found(staff_api, "/v1/staff/disclosures")
    assert world.disclosure_store.rows == {}


def test_a_legal_hold_its_schema_accepts_passes_validation(staff_api: StaffApi) -> None:
    world = World()
    staff_api.app.dependency_overrides[dependencies.legal_hold_service] = lambda: world.holds
    # No drawn record exists and no drawn address has one: past validation, that is the answer.
    every_drawn_post_is_not_found(staff_api, "/v1/staff/legal-holds")


def test_a_correction_its_schema_accepts_passes_validation() -> None:
    client = public_client(build_world().services)

    @DRAWS
    @given(case=strategy("/v1/rights/records/{submission_id}", "PATCH"))
    def judged(case: Any) -> None:
        response = client.patch(case.formatted_path, json=case.body)
        # Without a session, past validation the answer is that one is needed (or, for an id the route
        # cannot match, that there is no such route).
        assert response.status_code in (401, 404), (case.body, response.get_data(as_text=True))

    judged()


def test_a_completion_its_schema_accepts_passes_validation(staff_api: StaffApi) -> None:
    manager = staff_api.as_role(Role.PI_MANAGER, username="park.manager", user_id="sub-manager")
    staff_api.submit("blog-subscription", dict(VALID_FIELDS["blog-subscription"]))
    opened = {
        "channel": "phone",
        "kind": "access",
        "identity_verification": "phone_callback",
        "email": VALID_FIELDS["blog-subscription"]["email"],
    }

    @DRAWS
    @given(case=strategy("/v1/staff/rights-requests/{request_id}/complete", "POST"))
    def judged(case: Any) -> None:
        created = manager.post("/v1/staff/rights-requests", json=opened)
        assert created.status_code == 201, created.get_data(as_text=True)
        request_id = created.get_json()["request_id"]
        response = manager.post(f"/v1/staff/rights-requests/{request_id}/complete", json=case.body)
        if response.status_code == 409:
            # Whether corrections fit depends on the request's kind, which no schema of the body can know:
            # a conflict with the request, not a malformed body.
            assert response.get_json()["error"]["code"] == "outcome_does_not_fit"
            problems = {(d["field"], d["problem"]) for d in response.get_json()["error"]["details"]}
            assert problems == {("corrections", "do not apply to a request of kind access")}, case.body
        else:
            assert response.status_code == 200, (case.body, response.get_data(as_text=True))

    judged()


def test_each_legal_basis_is_one_complete_shape_with_its_own_evidence() -> None:
    schemas = DOCUMENT["components"]["schemas"]
    # Each shape is a component of its own, so that generated clients make one model of it.
    shapes = [schemas[ref["$ref"].rsplit("/", 1)[1]] for ref in schemas["DisclosureRequest"]["oneOf"]]
    by_basis = {shape["properties"]["legal_basis"]["enum"][0]: shape for shape in shapes}
    assert set(by_basis) == {"consent", "law_enforcement"}
    assert "consent_reference" in by_basis["consent"]["required"]
    assert "law_enforcement" not in by_basis["consent"]["properties"]
    assert "law_enforcement" in by_basis["law_enforcement"]["required"]
    assert "consent_reference" not in by_basis["law_enforcement"]["properties"]


def _accepted(address: str) -> bool:
    try:
        normalize_email(address)
    except ValueError:
        return False
    return True


LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
SPECIAL_USE = st.sampled_from(SPECIAL_USE_DOMAIN_NAMES).flatmap(lambda n: st.sampled_from([n, n.upper(), n.title()]))
ADDRESSES = (
    st.emails()
    | st.builds("{}@{}.{}".format, LABEL, LABEL, SPECIAL_USE)
    | st.builds("{}@{}".format, LABEL, SPECIAL_USE)
    # Shapes `format: idn-email` allows and email-validator refuses: no period, a digit last, an IP literal,
    # a quoted local part.
    | st.builds("{}@{}".format, LABEL, LABEL)
    | st.builds("{}@{}.{}".format, LABEL, LABEL, LABEL)
    | st.builds('"{} {}"@{}.com'.format, LABEL, LABEL, LABEL)
    | st.builds("{}@[127.0.0.{}]".format, LABEL, st.integers(0, 255))
)


@settings(max_examples=300, deadline=None, database=None)
@given(address=ADDRESSES)
def test_an_address_the_schema_accepts_is_one_validation_accepts(address: str) -> None:
    schema: dict[str, Any] = {"type": "string"}
    email_schema(schema)
    if jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(address):
        assert _accepted(address), address


def _email_pattern() -> str:
    schema: dict[str, Any] = {"type": "string"}
    email_schema(schema)
    return str(schema["pattern"])


# jsonschema-rs reads the pattern as ECMA-262 does, \p{L} meaning every letter.
MATCHES_THE_PATTERN = jsonschema_rs.validator_for({"type": "string", "pattern": _email_pattern()}).is_valid


# Schemathesis reads an ECMA-262 pattern into Python's dialect and draws from that; an address it draws
# that validation refuses makes a schema-valid request fail as malformed.
def _drawn_addresses() -> st.SearchStrategy[str]:
    translated = normalize_regex(_email_pattern())
    assert translated is not None, "schemathesis cannot read the address pattern"
    return st.from_regex(translated, fullmatch=True).filter(lambda address: len(address) <= EMAIL_MAX_LENGTH)


DRAWN_ADDRESSES = _drawn_addresses()


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(address=DRAWN_ADDRESSES)
def test_every_address_drawn_from_the_pattern_as_schema_fuzzers_draw_it_is_accepted(address: str) -> None:
    assert _accepted(address), address


# The characters that grow most on the way to email-validator's byte counts: one beyond the BMP (4 bytes),
# a Hangul syllable (3 bytes) and, in the domain, one-character labels, whose IDNA form is "xn--" and four
# more.
GROWING_LOCAL_PARTS = ("a", "é", "\U00020000", "가")
GROWING_LABELS = ("b", "가", "힣", "é", "가" * 15)


def _longest_admitted(local: str, label: str) -> str | None:
    """The longest address of `local`, then as many `label`s as the pattern admits (one at least), then "kr"."""
    longest = None
    for labels in range(1, EMAIL_MAX_LENGTH):
        address = f"{local}@{(label + '.') * labels}kr"
        if len(address) > EMAIL_MAX_LENGTH or not MATCHES_THE_PATTERN(address):
            return longest
        longest = address
    return longest


@pytest.mark.parametrize("letter", ["\u0958", "\u0f43", "\ufb2c"])
def test_letters_nfc_splits_are_not_admitted_before_the_at(letter: str) -> None:
    # Validation counts the part before the @ once normalised: 33 of U+0958 are 66 characters then.
    assert len(unicodedata.normalize("NFC", letter)) > 1
    assert not MATCHES_THE_PATTERN(f"{letter}@example.com")
    assert not _accepted(f"{letter * 33}@example.com")


@pytest.mark.parametrize("local_char", GROWING_LOCAL_PARTS)
@pytest.mark.parametrize("label", GROWING_LABELS)
def test_every_long_address_the_pattern_admits_is_within_validations_byte_limits(local_char: str, label: str) -> None:
    # Validation's byte counts only grow with each label added, so the longest admitted address of each
    # local part stands for every shorter one.
    longest = [_longest_admitted(local_char * length, label) for length in range(1, 70)]
    admitted = [address for address in longest if address is not None]
    assert admitted
    assert [address for address in admitted if not _accepted(address)] == []


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com",
        "first.last+letters@mail.example.co.kr",
        "o'neil@example.com",
        "홍길동@example.co.kr",
        "user@한국.kr",
        "user@회사-이름.한국",
        "josé@café.fr",
        "x_y@a-b.c-d.io",
        f"{'a' * 64}@{'b' * 63}.com",
    ],
)
def test_addresses_people_have_match_the_pattern(address: str) -> None:
    assert _accepted(address)
    assert MATCHES_THE_PATTERN(address)


@pytest.mark.parametrize(
    "address",
    [
        "a\b@example.com",
        "a\x85b@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@ex--ample.com",
        "a@-example.com",
        "a@example.123",
        f"a@{'b' * 64}.com",
    ],
)
def test_the_pattern_refuses_what_validation_refuses(address: str) -> None:
    assert not _accepted(address)
    assert not MATCHES_THE_PATTERN(address)


def test_every_character_an_internationalised_label_may_hold_is_one_idna_accepts() -> None:
    domain_chars = {chr(code) for code in range(0x30, 0xD7A4) if MATCHES_THE_PATTERN(f"a@{chr(code)}x.kr")}
    assert {"가", "힣", "ß", "é", "Z", "0"} <= domain_chars
    refused = [char for char in sorted(domain_chars) if not _accepted(f"a@{char}x.kr")]
    assert refused == []
