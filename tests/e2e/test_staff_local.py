"""Staff access as a user runs it: `python -m local`, tokens from the local user pool, real HTTP.

Every staff route answers 401 without a token or with a tampered or expired one
and 403 to a wrong group; staff see the inquiry they must answer; the marketing audience holds
subscribers and not inquirers; the auditor finds that read in the access records, with no PI in them;
the ledger verifies; a disclosure without a lawful basis is refused.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from typing import Any

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from policybound.api.staff.auth import Role
from policybound.api.staff.permissions import ROUTE_ROLES
from policybound.domain.staff.sign_in import SIGN_IN_FAILED
from policybound.obligations import MAX_FAILED_SIGN_INS
from policybound.policy import AWS_REGION
from tests.conftest import VALID_FIELDS, submission
from tests.e2e.conftest import LocalServer
from tests.support.local_staff import ACCOUNT_PASSWORD, add_account, changed_at, id_token, pool_id_of

ROUTES = sorted(ROUTE_ROLES)


USERS = {Role.PI_MANAGER: "manager", Role.STAFF: "staff", Role.AUDITOR: "auditor"}


def call(server: LocalServer, method: str, path: str, bearer: str | None, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    url = f"{server.api_url}{re.sub(r'<[^>]+>', 'x', path)}"
    return requests.request(method, url, headers=headers, timeout=30, **kwargs)


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def tampered(token: str, **changes: Any) -> str:
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(json.dumps(claims_of(token) | changes).encode()).decode().rstrip("=")
    return f"{header}.{payload}.{signature}"


def expired(token: str) -> str:
    """The same claims, correctly signed with the pool's own key, but an hour past expiry."""
    from moto.utilities.utils import load_resource  # moto is local mode's key holder

    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    claims = claims_of(token) | {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


@pytest.fixture(scope="module")
def tokens(local_server: LocalServer) -> dict[Role, str]:
    return {role: id_token(local_server.api_url, name) for role, name in USERS.items()}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_staff_route_refuses_missing_tampered_and_expired_tokens_and_wrong_groups(
    local_server: LocalServer, tokens: dict[Role, str], method: str, path: str
) -> None:
    allowed = ROUTE_ROLES[(method, path)]
    if (method, path) == ("DELETE", "/v1/staff/session"):
        # Signing out ends the caller's session: use sign-ins of this test's own, not the module's.
        tokens = {role: id_token(local_server.api_url, name) for role, name in USERS.items()}
    assert call(local_server, method, path, None).status_code == 401
    wrong = [role for role in Role if role not in allowed]
    right = next(iter(allowed))
    forged = tampered(tokens[wrong[0]] if wrong else tokens[right], **{"cognito:groups": [r.value for r in Role]})
    assert call(local_server, method, path, forged).status_code == 401
    assert call(local_server, method, path, expired(tokens[right])).status_code == 401
    for role in wrong:
        response = call(local_server, method, path, tokens[role])
        assert response.status_code == 403, (role, response.text)
        assert response.json()["error"]["code"] == "forbidden"
    assert call(local_server, method, path, tokens[right]).status_code not in (401, 403)


def submit(server: LocalServer, form: str, **overrides: Any) -> str:
    response = requests.post(f"{server.api_url}/v1/forms/{form}", json=submission(form, **overrides), timeout=30)
    assert response.status_code == 201, response.text
    return str(response.json()["submission_id"])


def test_staff_answer_inquiries_market_to_subscribers_and_the_auditor_sees_the_reads(
    local_server: LocalServer, tokens: dict[Role, str]
) -> None:
    marker = uuid.uuid4().hex[:8]
    inquiry_text = f"Please call me about migration {marker}."
    inquiry = submit(local_server, "contact-us", inquiry=inquiry_text, email=f"inq-{marker}@example.co.kr")
    subscriber = submit(local_server, "blog-subscription", email=f"sub-{marker}@example.co.kr")
    # A download is stored (201) with or without the separate marketing consent; only with it does
    # the person enter the marketing audience.
    unmarketed = submit(local_server, "resources-download", email=f"dl-{marker}@example.co.kr", marketing=False)
    marketed = submit(local_server, "resources-download", email=f"dlm-{marker}@example.co.kr", marketing=True)

    staff = tokens[Role.STAFF]
    staff_id = claims_of(staff)["sub"]
    found: dict[str, Any] = {}
    cursor = None
    while inquiry not in found:
        params = {"form": "contact-us"} | ({"cursor": cursor} if cursor else {})
        page = call(local_server, "GET", "/v1/staff/submissions", staff, params=params)
        assert page.status_code == 200, page.text
        found |= {item["submission_id"]: item for item in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        assert inquiry in found or cursor, "the inquiry is not listed"
    assert found[inquiry]["fields"]["inquiry"] == inquiry_text
    assert found[inquiry]["purpose"] == "inquiry_response"

    audience: set[str] = set()
    cursor = None
    while True:
        page = call(
            local_server, "GET", "/v1/staff/marketing-audience", staff, params={"cursor": cursor} if cursor else {}
        )
        assert page.status_code == 200, page.text
        audience |= {m["submission_id"] for m in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert subscriber in audience
    assert marketed in audience
    assert inquiry not in audience
    assert unmarketed not in audience

    auditor = tokens[Role.AUDITOR]
    entries: list[dict[str, Any]] = []
    after = 0
    while True:
        page = call(local_server, "GET", "/v1/staff/ledger", auditor, params={"kind": "access", "after": after}).json()
        entries += page["items"]
        if not page["next_cursor"]:
            break
        after = int(page["next_cursor"])
    reads = [e for e in entries if inquiry in e["payload"]["submission_ids"] and e["payload"]["user_id"] == staff_id]
    assert reads, "the auditor cannot find the staff read of the inquiry"
    assert reads[0]["payload"]["username"] == "staff"
    assert reads[0]["payload"]["purposes"] == ["inquiry_response"]
    evidence = json.dumps(entries, ensure_ascii=False)
    for value in [
        inquiry_text,
        f"inq-{marker}@example.co.kr",
        f"sub-{marker}@example.co.kr",
        *VALID_FIELDS["contact-us"].values(),
    ]:
        assert value not in evidence

    verified = call(local_server, "GET", "/v1/staff/ledger/verify", auditor)
    assert verified.status_code == 200
    assert verified.json()["verified"] is True, verified.json()


def test_a_disclosure_without_a_lawful_basis_is_refused(local_server: LocalServer, tokens: dict[Role, str]) -> None:
    if ("POST", "/v1/staff/disclosures") not in ROUTE_ROLES:
        pytest.skip("the disclosures route has not landed")
    inquiry = submit(local_server, "contact-us")
    manager, auditor = tokens[Role.PI_MANAGER], tokens[Role.AUDITOR]

    def disclosures() -> int:
        page = call(local_server, "GET", "/v1/staff/ledger", auditor, params={"kind": "disclosure", "limit": 500})
        return len(page.json()["items"])

    before = disclosures()
    body = {
        "submission_ids": [inquiry],
        "recipient": {"name": "Partner Co", "email": "partner@example.com"},
        "items": ["name", "email"],
    }
    for basis in [{"legal_basis": "business_partnership"}, {}, {"legal_basis": "law_enforcement"}]:
        response = call(local_server, "POST", "/v1/staff/disclosures", manager, json=body | basis)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_failed"
    assert disclosures() == before


def new_staff_user(server: LocalServer, password_changed_at: str) -> str:
    cognito = server.aws("cognito-idp")
    username = f"e2e-{uuid.uuid4().hex[:8]}"
    add_account(cognito, pool_id_of(cognito), username, password_changed_at=password_changed_at, group="staff")
    return username


def staff_sign_in(server: LocalServer, username: str, secret: str) -> requests.Response:
    body = {"username": username, "password": secret}
    return requests.post(f"{server.api_url}/_local/staff-sign-in", json=body, timeout=60)


def answer(response: requests.Response) -> tuple[int, str, Any]:
    return response.status_code, response.headers["Content-Type"], response.json()


def test_sign_in_answers_unknown_names_and_locked_accounts_as_wrong_passwords(local_server: LocalServer) -> None:
    user, unknown = new_staff_user(local_server, changed_at()), f"e2e-nobody-{uuid.uuid4().hex[:8]}"
    assert staff_sign_in(local_server, user, ACCOUNT_PASSWORD).status_code == 200
    answers = {}
    for name in (user, unknown):
        # MAX_FAILED_SIGN_INS wrong passwords, then the right one (for the known name): refused by the lock.
        tries = [staff_sign_in(local_server, name, "wrong-password") for _ in range(MAX_FAILED_SIGN_INS)]
        answers[name] = [answer(r) for r in [*tries, staff_sign_in(local_server, name, ACCOUNT_PASSWORD)]]
    failed = (401, "application/json", {"error": {"code": "unauthorized", "message": SIGN_IN_FAILED, "details": []}})
    assert answers[user] == answers[unknown] == [failed] * (MAX_FAILED_SIGN_INS + 1)

    # A password's age is told to the one who typed it right, never to a wrong guess.
    aged = new_staff_user(local_server, changed_at(100 * 86400))
    assert answer(staff_sign_in(local_server, aged, "wrong-password")) == failed
    refused = staff_sign_in(local_server, aged, ACCOUNT_PASSWORD)
    assert refused.status_code == 403
    assert "older than 90 days" in refused.json()["error"]["message"]
    assert "id_token" not in refused.text
    assert AWS_REGION in claims_of(id_token(local_server.api_url, "staff"))["iss"]


def test_a_group_removed_in_the_user_pool_refuses_the_token_at_once(local_server: LocalServer) -> None:
    user = new_staff_user(local_server, changed_at())
    signed_in = staff_sign_in(local_server, user, ACCOUNT_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["id_token"]
    assert call(local_server, "GET", "/v1/staff/submissions", token, params={"form": "contact-us"}).status_code == 200
    # As an administrator would in the Cognito console or CLI, not through the staff API: the token
    # still names the group, is validly signed and has not expired.
    cognito = local_server.aws("cognito-idp")
    cognito.admin_remove_user_from_group(UserPoolId=pool_id_of(cognito), Username=user, GroupName="staff")
    refused = call(local_server, "GET", "/v1/staff/submissions", token, params={"form": "contact-us"})
    assert refused.status_code == 401, refused.text
    assert refused.headers["Cache-Control"] == "no-store"
    assert call(local_server, "GET", "/v1/staff/me", token).status_code == 401
