"""§12: a version that adds an item or a purpose asks the affected people for consent, once, by mail with
a link; their records keep what they agreed to until they give it."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.test import Client

from local.gateway import Gateway
from policybound import policy
from policybound.api.dependencies import consent_renewals
from policybound.api.public.app import create_app, openapi_json
from policybound.domain.core.errors import ConsentLinkExpired, ConsentLinkInvalid, ConsentLinkUnknown
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.core.model import RecordStatus
from policybound.domain.intake.consent_renewal import (
    ASKING_PERIOD,
    CONSENT_LINK_VALID_FOR,
    ConsentRenewals,
    RenewalState,
)
from policybound.policy import (
    Additions,
    ChangeKind,
    FormChange,
    FormId,
    Purpose,
    Recipient,
    Text,
    VersionRefused,
    check_versions,
)
from tests.conftest import VALID_FIELDS
from tests.support.link_pages import BROWSER, link_page_text
from tests.support.policy_versions import (
    AFTER,
    BEFORE,
    FIRST,
    SECOND,
    WITH_RECIPIENTS_TEXT,
    policy_data_with_recipients_text,
)
from tests.support.rights import RightsWorld, build_world

LINK = re.compile(r"https://api\.example\.com/v1/consent-renewals\?token=(\S+)")


@dataclass
class World:
    rights: RightsWorld
    renewals: ConsentRenewals

    def ask(self) -> int:
        sent = len(self.rights.mailer.sent)
        self.renewals.ask()
        return len(self.rights.mailer.sent) - sent

    def ask_once_in_force(self) -> int:
        """Runs the sweep once the change is in force; the mails it sent."""
        self.rights.clock.at = AFTER
        return self.ask()

    def token_mailed_to(self, email: str) -> str:
        return next(t for mail in self.rights.mailer.sent if mail.to == (email,) for t in LINK.findall(mail.text))

    def tokens(self) -> list[str]:
        """One per mail (each language's part carries the same link)."""
        return list(dict.fromkeys(m for mail in self.rights.mailer.sent for m in LINK.findall(mail.text)))


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, SECOND))
    rights = build_world(datetime.fromisoformat("2026-12-01T01:00:00+00:00"))
    services = rights.services
    # The builder's renewals, on pages of two, so that a handful of records already spans several.
    renewals = ConsentRenewals(
        services.ports.store,
        services.ports.form_index,
        services.reader,
        services.ports.mailer,
        services.clock,
        services.consent_renewal_url,
        page_size=2,
    )
    return World(rights, renewals)


def _submit_people(world: World) -> tuple[str, str, str, str]:
    """Kim's two inquiries, Lee's inquiry, and Kim's blog subscription (a form the change leaves alone)."""
    kim_1 = world.rights.submit("contact-us")
    world.rights.clock.advance(minutes=1)
    kim_2 = world.rights.submit("contact-us")
    lee = world.rights.submit("contact-us", email="lee@example.co.kr")
    blog = world.rights.submit("blog-subscription")
    world.rights.mailer.sent.clear()
    return kim_1, kim_2, lee, blog


def test_nobody_is_asked_before_the_version_takes_effect(world: World) -> None:
    _submit_people(world)
    world.rights.clock.at = BEFORE
    assert world.ask() == 0


def test_each_affected_person_gets_one_mail_and_keeps_their_consent(world: World) -> None:
    kim_1, kim_2, lee, blog = _submit_people(world)
    assert world.ask_once_in_force() == 2  # Kim once for both inquiries, Lee once; the subscriber is not affected
    kim_email = VALID_FIELDS["contact-us"]["email"]
    assert sorted(m.to[0] for m in world.rights.mailer.sent) == sorted([kim_email, "lee@example.co.kr"])
    mail = next(m for m in world.rights.mailer.sent if m.to == (kim_email,))
    assert "개인정보처리방침 변경에 따른 동의 요청" in mail.subject
    assert "추가되는 수집 항목: 부서" in mail.text
    # Marketing is asked apart, as the optional consent it is (PIPA art. 22), not among the additions.
    assert "추가되는 수집·이용 목적: 없음" in mail.text
    assert "별도 동의(선택): 이메일 마케팅 활용" in mail.text
    assert "Items added: Department" in mail.text
    assert "Purposes added: none" in mail.text
    assert "Asked apart (optional): Use in email marketing." in mail.text
    for submission_id in (kim_1, kim_2, lee):
        record = world.rights.store.records[submission_id]
        # Asked, not assumed: the record keeps its version and purposes.
        assert record.consent.policy_version == FIRST.version
        assert record.consent.purposes == (Purpose.INQUIRY_RESPONSE,)
        assert record.consent_request is not None
        assert record.consent_request.version == SECOND.version
    assert world.rights.store.records[blog].consent_request is None
    # Never twice for the same version, however often the sweep runs.
    world.rights.clock.advance(hours=1)
    assert world.ask() == 0


def test_the_link_shows_then_records_the_new_consent_once(world: World) -> None:
    kim_1, kim_2, lee, _ = _submit_people(world)
    world.ask_once_in_force()
    kim_email = VALID_FIELDS["contact-us"]["email"]
    token = world.token_mailed_to(kim_email)
    secret = token.split(".", 1)[1]
    # Stored only as its hash.
    assert secret not in repr(world.rights.store.records[kim_1])

    shown = world.renewals.check(token)
    assert (shown.state, shown.items_added, shown.purposes_added, shown.purposes_asked_apart) == (
        RenewalState.ASKED,
        ("department",),
        (),
        (Purpose.EMAIL_MARKETING,),
    )
    assert world.rights.store.records[kim_1].consent.policy_version == FIRST.version  # looking changes nothing

    world.rights.clock.advance(minutes=5)
    renewed = world.renewals.renew(token, frozenset({Purpose.EMAIL_MARKETING}))
    assert (renewed.state, renewed.purposes_given_apart) == (RenewalState.RENEWED, (Purpose.EMAIL_MARKETING,))
    for submission_id in (kim_1, kim_2):
        consent = world.rights.store.records[submission_id].consent
        assert consent.policy_version == SECOND.version
        assert consent.purposes == (Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING)
        assert consent.renewed_at == world.rights.clock.at
    # Lee has not answered: Lee's record keeps what Lee agreed to.
    assert world.rights.store.records[lee].consent.policy_version == FIRST.version

    entries = [
        e
        for e in world.rights.store.ledger.chains.get(LedgerKind.CONSENT, [])
        if e.payload["event"] == "consent_renewed"
    ]
    assert sorted(str(e.payload["submission_id"]) for e in entries) == sorted([kim_1, kim_2])
    assert entries[0].payload["from_version"] == FIRST.version
    assert entries[0].payload["policy_version"] == SECOND.version
    assert entries[0].payload["purposes_added"] == ["email_marketing"]
    assert entries[0].payload["purposes_refused"] == []
    text = json.dumps([e.payload for e in entries])
    assert kim_email not in text
    assert VALID_FIELDS["contact-us"]["name"] not in text

    # Single use: a second click changes nothing more.
    assert world.renewals.renew(token).state is RenewalState.ALREADY_RENEWED
    assert world.renewals.check(token).state is RenewalState.ALREADY_RENEWED
    again = [
        e
        for e in world.rights.store.ledger.chains.get(LedgerKind.CONSENT, [])
        if e.payload["event"] == "consent_renewed"
    ]
    assert len(again) == 2
    # Renewed records are not asked again.
    world.rights.clock.advance(hours=1)
    assert world.ask() == 0


def test_an_altered_or_expired_link_records_nothing(world: World) -> None:
    _kim_1, *_ = _submit_people(world)
    world.ask_once_in_force()
    token = world.tokens()[0]
    submission_id, secret = token.split(".", 1)
    for bad in (None, "", "nonsense", token[:-1]):
        with pytest.raises(ConsentLinkInvalid):
            world.renewals.renew(bad)
    for unknown in (
        f"{submission_id}.{secret[:-1]}A" if secret[-1] != "A" else f"{submission_id}.{'B' * 43}",
        f"{uuid.uuid4()}.{secret}",
    ):
        with pytest.raises(ConsentLinkUnknown):
            world.renewals.renew(unknown)
    world.rights.clock.advance(seconds=CONSENT_LINK_VALID_FOR.total_seconds())
    with pytest.raises(ConsentLinkExpired):
        world.renewals.check(token)
    with pytest.raises(ConsentLinkExpired):
        world.renewals.renew(token)
    assert all(r.consent.policy_version == FIRST.version for r in world.rights.store.records.values())
    # Expired, the person is still not asked again for this version.
    assert world.ask() == 0


def test_a_mail_that_could_not_be_sent_is_sent_on_the_next_run(world: World) -> None:
    _submit_people(world)
    world.rights.clock.at = AFTER
    world.rights.mailer.fail = True
    world.renewals.ask()
    assert world.rights.mailer.sent == []
    assert all(r.consent_request is None for r in world.rights.store.records.values())
    world.rights.mailer.fail = False
    world.rights.clock.advance(hours=1)
    assert world.ask() == 2
    assert world.ask() == 0


def test_only_active_records_are_asked(world: World) -> None:
    kim_1, kim_2, lee, _ = _submit_people(world)
    store = world.rights.store
    for submission_id in (kim_1, kim_2):
        store.records[submission_id] = replace(store.records[submission_id], status=RecordStatus.RESTRICTED)
    assert world.ask_once_in_force() == 1
    assert world.rights.mailer.sent[0].to == ("lee@example.co.kr",)
    # Expired records are gone to every reader: nobody is mailed for them.
    store.records[lee] = replace(store.records[lee], retained_until=AFTER - timedelta(seconds=1), consent_request=None)
    assert world.ask() == 0


# --- HTTP -------------------------------------------------------------------------------------

JSON = {"Accept": "application/json"}


@pytest.fixture
def api(world: World) -> Client:
    app = create_app(["https://www.example.com"])
    app.dependency_overrides.update({consent_renewals: lambda: world.renewals})
    return Client(Gateway(app.resolve, lambda: openapi_json(app), site_root=Path(__file__).parent, local_routes={}))


def test_the_link_over_http_asks_in_a_page_then_records_once(api: Client, world: World) -> None:
    _submit_people(world)
    world.ask_once_in_force()
    token = world.tokens()[0]
    anchor = token.split(".", 1)[0]
    text = link_page_text(api.get("/v1/consent-renewals", query_string={"token": token}, headers=BROWSER))
    assert "개인정보처리방침 변경에 따른 동의" in text
    assert "부서 (Department)" in text
    shown = api.get("/v1/consent-renewals", query_string={"token": token}, headers=JSON).get_json()
    assert shown["status"] == "asked"
    assert (shown["items_added"], shown["purposes_added"], shown["purposes_asked_apart"]) == (
        ["department"],
        [],
        ["email_marketing"],
    )
    assert world.rights.store.records[anchor].consent.policy_version == FIRST.version

    given = api.post("/v1/consent-renewals", query_string={"token": token}, headers=JSON)
    assert given.status_code == 200
    assert given.get_json()["status"] == "renewed"
    assert world.rights.store.records[anchor].consent.policy_version == SECOND.version
    again = api.post("/v1/consent-renewals", query_string={"token": token}, headers=BROWSER)
    assert again.status_code == 200
    assert "이미 동의하셨습니다" in again.get_data(as_text=True)


def test_a_refused_link_over_http_is_400_404_or_410_in_the_one_error_shape(api: Client, world: World) -> None:
    _submit_people(world)
    world.ask_once_in_force()
    token = world.tokens()[0]
    # Well formed, but naming no request that is kept: "not found", as an unknown id is.
    altered = api.post("/v1/consent-renewals", query_string={"token": token[:-2] + "zz"}, headers=JSON)
    assert altered.status_code == 404
    assert altered.get_json()["error"]["code"] == "not_found"
    unknown = api.get("/v1/consent-renewals", query_string={"token": f"{uuid.uuid4()}.{'A' * 43}"}, headers=BROWSER)
    assert unknown.status_code == 404
    assert "링크를 확인할 수 없습니다" in unknown.get_data(as_text=True)
    # Not a link's token at all (cut short): a bad request; none at all: a required parameter is missing.
    short = api.post("/v1/consent-renewals", query_string={"token": token[:-1]}, headers=JSON)
    assert short.status_code == 400
    assert short.get_json()["error"]["code"] == "consent_link_invalid"
    assert api.get("/v1/consent-renewals", query_string={"token": token[:-1]}, headers=BROWSER).status_code == 400
    assert api.get("/v1/consent-renewals", headers=JSON).status_code == 422
    world.rights.clock.advance(days=31)
    expired = api.post("/v1/consent-renewals", query_string={"token": token}, headers=JSON)
    assert expired.status_code == 410
    assert expired.get_json()["error"]["code"] == "consent_link_expired"
    page = api.get("/v1/consent-renewals", query_string={"token": token}, headers=BROWSER)
    assert page.status_code == 410
    assert "링크가 만료되었습니다" in page.get_data(as_text=True)


def test_people_are_looked_for_only_during_the_asking_period(world: World) -> None:
    _submit_people(world)
    world.rights.clock.at = AFTER + ASKING_PERIOD + timedelta(days=1)
    assert world.ask() == 0
    assert all(r.consent_request is None for r in world.rights.store.records.values())
    world.rights.clock.at = AFTER + ASKING_PERIOD - timedelta(days=1)
    assert world.ask() == 2


# --- What needs its own consent is asked apart (PIPA art. 22) ----------------------------------


def test_marketing_added_by_a_change_is_refused_unless_given_apart(world: World) -> None:
    kim_1, kim_2, _lee, _ = _submit_people(world)
    world.ask_once_in_force()
    token = world.token_mailed_to(VALID_FIELDS["contact-us"]["email"])
    renewed = world.renewals.renew(token)
    assert (renewed.state, renewed.purposes_given_apart) == (RenewalState.RENEWED, ())
    for submission_id in (kim_1, kim_2):
        consent = world.rights.store.records[submission_id].consent
        # The rest of the change is consented to (its version, so its added item); marketing is not.
        assert consent.policy_version == SECOND.version
        assert consent.purposes == (Purpose.INQUIRY_RESPONSE,)
    entry = next(
        e.payload
        for e in world.rights.store.ledger.chains[LedgerKind.CONSENT]
        if e.payload["event"] == "consent_renewed" and e.payload["submission_id"] == kim_1
    )
    assert (entry["purposes_added"], entry["purposes_refused"]) == ([], ["email_marketing"])
    # Answered: a later answer cannot add marketing on the same link.
    assert world.renewals.renew(token, frozenset({Purpose.EMAIL_MARKETING})).state is RenewalState.ALREADY_RENEWED
    assert world.rights.store.records[kim_1].consent.purposes == (Purpose.INQUIRY_RESPONSE,)


def test_a_change_that_adds_a_purpose_and_marketing_asks_them_on_separate_answers(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = replace(
        SECOND,
        form_changes=(
            FormChange(
                FormId.CONTACT_US,
                purposes=(Purpose.INQUIRY_RESPONSE, Purpose.RESOURCE_DELIVERY, Purpose.EMAIL_MARKETING),
            ),
        ),
        adds=frozenset({ChangeKind.PURPOSE}),
    )
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, both))
    _submit_people(world)
    world.ask_once_in_force()
    token = world.tokens()[0]
    shown = world.renewals.check(token)
    assert (shown.purposes_added, shown.purposes_asked_apart) == (
        (Purpose.RESOURCE_DELIVERY,),
        (Purpose.EMAIL_MARKETING,),
    )
    world.renewals.renew(token)
    owner = token.split(".", 1)[0]
    assert world.rights.store.records[owner].consent.purposes == (Purpose.INQUIRY_RESPONSE, Purpose.RESOURCE_DELIVERY)


def test_the_page_asks_marketing_with_its_own_unticked_checkbox_and_the_form_field_gives_it(
    api: Client, world: World
) -> None:
    _submit_people(world)
    world.ask_once_in_force()
    tokens = world.tokens()
    page = api.get("/v1/consent-renewals", query_string={"token": tokens[0]}, headers=BROWSER).get_data(as_text=True)
    box = re.search(r'<input type="checkbox" name="marketing" value="true"[^>]*>', page)
    assert box is not None
    assert "checked" not in box.group(0)
    assert "[선택] 이메일 마케팅 활용에 동의합니다" in page
    # The button's own text names no marketing: the checkbox is the only way to it.
    button = re.search(r"<button[^>]*>([^<]*)</button>", page)
    assert button is not None
    assert "마케팅" not in button.group(1)
    assert "marketing" not in button.group(1).lower()

    form = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
    without = api.post("/v1/consent-renewals", query_string={"token": tokens[0]}, data="", headers=form)
    assert without.status_code == 200, without.get_json()
    assert (without.get_json()["purposes_asked_apart"], without.get_json()["purposes_given_apart"]) == (
        ["email_marketing"],
        [],
    )
    given = api.post("/v1/consent-renewals", query_string={"token": tokens[1]}, data="marketing=true", headers=form)
    assert given.status_code == 200, given.get_json()
    assert given.get_json()["purposes_given_apart"] == ["email_marketing"], given.get_json()
    purposes = {token: world.rights.store.records[token.split(".", 1)[0]].consent.purposes for token in tokens[:2]}
    assert purposes == {
        tokens[0]: (Purpose.INQUIRY_RESPONSE,),
        tokens[1]: (Purpose.INQUIRY_RESPONSE, Purpose.EMAIL_MARKETING),
    }


# --- A recipient added is asked for like an item or a purpose ----------------------------------

PARTNER = Recipient(
    name=Text("Example Partner Co.", "예시파트너 주식회사"),
    purpose=Text("Joint seminar invitations", "공동 세미나 초청"),
    items=("name", "email"),
    retention=Text("Until the seminar ends", "세미나 종료 시까지"),
    forms=(FormId.CONTACT_US,),
)
WITH_PARTNER = replace(SECOND, adds=frozenset({ChangeKind.RECIPIENT}), form_changes=(), recipients=(PARTNER,))


def test_a_version_that_adds_a_recipient_must_say_so_and_name_collected_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its text lists the recipients, as a version naming any must (see test_policy_versions).
    monkeypatch.setattr(policy, "POLICY_DATA", policy_data_with_recipients_text(tmp_path))
    listed = replace(WITH_PARTNER, text_file=WITH_RECIPIENTS_TEXT)
    check_versions((FIRST, listed))
    with pytest.raises(VersionRefused, match=r"Example Partner Co\."):
        check_versions((FIRST, replace(listed, adds=frozenset())))
    with pytest.raises(VersionRefused, match="do not collect"):
        check_versions((FIRST, replace(listed, recipients=(replace(PARTNER, items=("inquiry", "interests")),))))
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, WITH_PARTNER))
    assert policy.additions(FIRST.version, WITH_PARTNER.version, FormId.CONTACT_US) == Additions(recipients=(PARTNER,))
    assert not policy.additions(FIRST.version, WITH_PARTNER.version, FormId.BLOG_SUBSCRIPTION)


def test_a_version_that_adds_a_recipient_asks_the_affected_for_consent(
    world: World, api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "VERSIONS", (FIRST, WITH_PARTNER))
    *_, blog = _submit_people(world)
    assert world.ask_once_in_force() == 2  # the contact-us people; the subscriber's form gives nothing to the partner
    mail = world.rights.mailer.sent[0]
    assert "추가되는 개인정보를 제공받는 자: 예시파트너 주식회사" in mail.text
    assert "Recipients added: Example Partner Co." in mail.text
    assert world.rights.store.records[blog].consent_request is None
    token = world.tokens()[0]
    page = api.get("/v1/consent-renewals", query_string={"token": token}, headers=BROWSER).get_data(as_text=True)
    assert "예시파트너 주식회사 (Example Partner Co.) — 목적: 공동 세미나 초청; 항목: 이름, 이메일" in page
    shown = api.get("/v1/consent-renewals", query_string={"token": token}, headers=JSON).get_json()
    assert shown["recipients_added"] == ["Example Partner Co."]
    assert api.post("/v1/consent-renewals", query_string={"token": token}, headers=JSON).status_code == 200
    owner = token.split(".", 1)[0]
    assert world.rights.store.records[owner].consent.policy_version == WITH_PARTNER.version
    entry = next(
        e.payload
        for e in world.rights.store.ledger.chains[LedgerKind.CONSENT]
        if e.payload["event"] == "consent_renewed" and e.payload["submission_id"] == owner
    )
    assert entry["recipients_added"] == ["Example Partner Co."]


def test_a_form_body_is_judged_as_the_form_it_is_where_a_route_takes_one(api: Client) -> None:
    """The renewal takes a form (the page's checkbox): without a token it is told the token is missing
    (422), not that its body should have been JSON (415); a JSON-only route still refuses a form body."""
    form = {"Content-Type": "application/x-www-form-urlencoded", **JSON}
    missing = api.post("/v1/consent-renewals", data="marketing=false", headers=form)
    assert missing.status_code == 422, missing.get_json()
    assert [d["field"] for d in missing.get_json()["error"]["details"]] == ["query.token"]
    not_a_bool = api.post(
        "/v1/consent-renewals",
        query_string={"token": f"{uuid.uuid4()}.{'A' * 43}"},
        data="marketing=maybe",
        headers=form,
    )
    assert not_a_bool.status_code == 422
    assert [d["field"] for d in not_a_bool.get_json()["error"]["details"]] == ["marketing"]
    assert api.post("/v1/forms/contact-us", data="fields=1", headers=form).status_code == 415
