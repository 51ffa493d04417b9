"""Attacks on local mode over real HTTP, as an outsider would try them: the code limit raced by parallel
guesses and the staff sign-in lock raced by parallel wrong passwords (local mode runs several function
instances side by side, as Lambda does), and a look-alike
address asking for another person's code."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from policybound import tables
from policybound.domain.staff.sign_in import attempt_key
from policybound.obligations import MAX_FAILED_SIGN_INS, MAX_WRONG_TRIES
from tests.e2e.conftest import LocalServer
from tests.e2e.test_rights_local import CODE, outbox_to, submit, table_items, unique_email
from tests.e2e.test_staff_local import new_staff_user, staff_sign_in
from tests.support.local_staff import ACCOUNT_PASSWORD, changed_at

GUESSES = 40


def code_items(server: LocalServer) -> dict[str, dict[str, object]]:
    items = table_items(server, tables.RIGHTS_VERIFICATIONS)
    key = tables.RIGHTS_VERIFICATIONS.partition.name
    return {str(item[key]): item for item in items if str(item[key]).startswith("code#")}


def test_forty_parallel_guesses_compare_at_most_five(local_server: LocalServer, http: requests.Session) -> None:
    email = unique_email("race")
    submit(local_server, http, "contact-us", email)
    before = set(code_items(local_server))
    asked = http.post(f"{local_server.api_url}/v1/rights/requests", json={"email": email, "kind": "access"}, timeout=30)
    assert asked.status_code == 202
    [key] = set(code_items(local_server)) - before
    [mail] = outbox_to(local_server, http, email)
    code = CODE.search(mail["text"])
    assert code
    wrong = f"{(int(code[1]) + 1) % 1_000_000:06d}"

    def guess(_: int) -> int:
        with requests.Session() as own:
            body = {"email": email, "code": wrong}
            return own.post(f"{local_server.api_url}/v1/rights/sessions", json=body, timeout=60).status_code

    with ThreadPoolExecutor(GUESSES) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))
    assert statuses == [401] * GUESSES
    tries = int(str(code_items(local_server)[key]["failures"]))
    assert tries <= MAX_WRONG_TRIES, f"{tries} guesses were counted and compared"
    # Its tries used up, the right code opens nothing; a new code (the person asking again) does.
    locked = http.post(f"{local_server.api_url}/v1/rights/sessions", json={"email": email, "code": code[1]}, timeout=30)
    assert locked.status_code == 401


def test_forty_parallel_wrong_passwords_get_at_most_five_password_checks(local_server: LocalServer) -> None:
    user = new_staff_user(local_server, changed_at())

    def guess(_: int) -> int:
        return staff_sign_in(local_server, user, "wrong-password").status_code

    with ThreadPoolExecutor(GUESSES) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))
    assert statuses == [401] * GUESSES
    # Each try is claimed (counted) by the trigger before its password is checked: the count is the
    # number of passwords checked.
    key = tables.STAFF_SIGN_INS.partition.name
    [counted] = [item for item in table_items(local_server, tables.STAFF_SIGN_INS) if item[key] == attempt_key(user)]
    assert int(str(counted["failed"])) <= MAX_FAILED_SIGN_INS, f"{counted['failed']} passwords were checked"
    # The lock holds at the limit: the right password is refused too.
    assert staff_sign_in(local_server, user, ACCOUNT_PASSWORD).status_code == 401


def test_a_look_alike_domain_gets_no_code_for_another_persons_records(
    local_server: LocalServer, http: requests.Session
) -> None:
    owner = unique_email("ceo").replace("example.co.kr", "business.com")
    look_alike = owner.replace("business.com", "busineß.com")
    submit(local_server, http, "contact-us", owner)
    asked = http.post(
        f"{local_server.api_url}/v1/rights/requests", json={"email": look_alike, "kind": "erasure"}, timeout=30
    )
    assert asked.status_code == 202
    mails = http.get(f"{local_server.api_url}/_local/outbox", timeout=30).json()
    assert not [mail for mail in mails if look_alike in mail["to"] or owner in mail["to"]]


def test_a_dns_rebound_page_gets_no_manager_token_and_no_outbox(local_server: LocalServer) -> None:
    port = local_server.api_url.rsplit(":", 1)[1]
    rebound = {"Host": f"attacker.example:{port}", "Origin": f"http://attacker.example:{port}"}
    token = requests.post(
        f"{local_server.api_url}/_local/staff-token", json={"username": "manager"}, headers=rebound, timeout=30
    )
    assert token.status_code == 403
    assert "id_token" not in token.text
    assert requests.get(f"{local_server.api_url}/_local/outbox", headers=rebound, timeout=30).status_code == 403
    own = requests.post(f"{local_server.api_url}/v1/cookie-consents", json={}, headers=rebound, timeout=30)
    assert own.status_code == 403
