"""Unsubscribing (§4: destroyed without delay on cancellation): the domain, then the HTTP routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from werkzeug.test import Client

from policybound.domain.core.errors import UnsubscribeLinkExpired, UnsubscribeLinkInvalid, UnsubscribeLinkUnknown
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.retention.unsubscribe import SubscriptionState, UnsubscribeEffect
from policybound.policy import Purpose
from tests.support.gateways import public_client
from tests.support.link_pages import BROWSER, link_page_text
from tests.support.retention import STAFF_ID, World, every_pi_value

SECOND = timedelta(seconds=1)


def altered(token: str) -> str:
    submission_id, secret = token.split(".")
    return f"{submission_id}.{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"


# --- domain -----------------------------------------------------------------------------------


def test_checking_a_link_changes_nothing() -> None:
    world = World()
    receipt, token = world.subscribe()
    subscription = world.unsubscribe.check(token)
    assert subscription.state is SubscriptionState.ACTIVE
    assert subscription.retained_until == receipt.retained_until
    assert world.exists(receipt.submission_id)
    assert world.ledger(LedgerKind.DESTRUCTION) == []


def test_unsubscribing_destroys_record_and_key_at_once_with_a_ledger_entry() -> None:
    world = World()
    receipt, token = world.subscribe()
    assert world.unsubscribe.unsubscribe(token).state is SubscriptionState.CANCELLED
    assert not world.exists(receipt.submission_id)
    [entry] = world.ledger(LedgerKind.DESTRUCTION)
    assert entry.payload["submission_id"] == receipt.submission_id
    assert entry.payload["reason"] == "unsubscribed"
    for value in every_pi_value():
        assert value not in world.ledger_text()


def test_unsubscribing_twice_is_a_clear_no_op() -> None:
    world = World()
    _, token = world.subscribe()
    world.unsubscribe.unsubscribe(token)
    assert world.unsubscribe.unsubscribe(token).state is SubscriptionState.ALREADY_CANCELLED
    assert world.unsubscribe.check(token).state is SubscriptionState.ALREADY_CANCELLED
    assert len(world.ledger(LedgerKind.DESTRUCTION)) == 1


def test_other_subscriptions_are_untouched() -> None:
    world = World()
    mine, token = world.subscribe()
    theirs, _ = world.subscribe(email="other@example.co.kr")
    world.unsubscribe.unsubscribe(token)
    assert not world.exists(mine.submission_id)
    assert world.exists(theirs.submission_id)


@pytest.mark.parametrize(
    "token",
    [None, "", "nonsense", "not-a-uuid.secret", "0b7e4c1e-0000-4000-8000-000000000000.short"],
)
def test_a_malformed_link_is_refused(token: str | None) -> None:
    with pytest.raises(UnsubscribeLinkInvalid):
        World().unsubscribe.check(token)


def test_an_altered_secret_is_refused_and_changes_nothing() -> None:
    world = World()
    receipt, token = world.subscribe()
    with pytest.raises(UnsubscribeLinkUnknown):
        world.unsubscribe.unsubscribe(altered(token))
    assert world.exists(receipt.submission_id)


def test_a_link_cannot_cancel_a_record_that_is_not_a_subscription() -> None:
    world = World()
    _, token = world.subscribe()
    inquiry = world.submit("contact-us")
    with pytest.raises(UnsubscribeLinkUnknown):
        world.unsubscribe.unsubscribe(f"{inquiry.submission_id}.{token.split('.')[1]}")
    assert world.exists(inquiry.submission_id)


def test_a_link_expires_with_its_records_retention_even_before_the_sweep() -> None:
    world = World()
    receipt, token = world.subscribe()
    world.at(receipt.retained_until - SECOND)
    assert world.unsubscribe.check(token).state is SubscriptionState.ACTIVE

    world.at(receipt.retained_until)
    with pytest.raises(UnsubscribeLinkExpired):
        world.unsubscribe.unsubscribe(token)
    # Read-time expiry refused it; the sweeper, not the link, destroys it (reason retention_expired).
    assert world.sweeper.run().destroyed == 1
    assert world.ledger(LedgerKind.DESTRUCTION)[0].payload["reason"] == "retention_expired"


def test_a_held_subscription_is_cancelled_and_destroyed_once_the_hold_is_released() -> None:
    world = World()
    receipt, token = world.subscribe()
    hold = world.holds.hold_records([receipt.submission_id], "CASE-7", "Investigation", STAFF_ID)

    assert world.unsubscribe.unsubscribe(token).state is SubscriptionState.CANCELLED_HELD
    assert world.exists(receipt.submission_id)  # §4.2: kept while held
    assert world.reader.live(receipt.submission_id) is None  # but no longer used for anything
    assert world.unsubscribe.unsubscribe(token).state is SubscriptionState.ALREADY_CANCELLED
    assert [e.payload["event"] for e in world.ledger(LedgerKind.LEGAL_HOLD)] == [
        "placed",
        "subscription_cancelled_while_held",
    ]

    assert world.sweeper.run().destroyed == 0
    world.holds.release(hold.hold_id, STAFF_ID)
    assert world.sweeper.run().destroyed == 1
    assert not world.exists(receipt.submission_id)


def test_a_downloaders_letter_link_withdraws_marketing_consent_only_and_says_so() -> None:
    world = World()
    receipt, token = world.download()
    shown = world.unsubscribe.check(token)
    assert (shown.state, shown.effect) == (SubscriptionState.ACTIVE, UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN)
    done = world.unsubscribe.unsubscribe(token)
    assert (done.state, done.effect) == (SubscriptionState.CANCELLED, UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN)
    assert done.retained_until == receipt.retained_until  # the record stays until then, for the resources
    record = world.store.records[receipt.submission_id]
    assert record.consent.purposes == (Purpose.RESOURCE_DELIVERY,)
    assert world.ledger(LedgerKind.DESTRUCTION) == []
    for again in (world.unsubscribe.unsubscribe(token), world.unsubscribe.check(token)):
        assert (again.state, again.effect) == (
            SubscriptionState.ALREADY_CANCELLED,
            UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN,
        )
        assert again.retained_until == receipt.retained_until


def test_a_blog_subscriptions_link_says_it_destroys_and_afterwards_that_nothing_is_left() -> None:
    world = World()
    _, token = world.subscribe()
    assert world.unsubscribe.check(token).effect is UnsubscribeEffect.SUBSCRIPTION_DESTROYED
    done = world.unsubscribe.unsubscribe(token)
    assert (done.state, done.effect) == (SubscriptionState.CANCELLED, UnsubscribeEffect.SUBSCRIPTION_DESTROYED)
    again = world.unsubscribe.unsubscribe(token)
    assert (again.state, again.effect) == (SubscriptionState.ALREADY_CANCELLED, None)


def test_a_downloader_who_never_agreed_to_marketing_has_nothing_to_withdraw() -> None:
    world = World()
    receipt, token = world.download(marketing=False)
    answer = world.unsubscribe.unsubscribe(token)
    assert (answer.state, answer.effect) == (
        SubscriptionState.ALREADY_CANCELLED,
        UnsubscribeEffect.MARKETING_CONSENT_WITHDRAWN,
    )
    assert world.exists(receipt.submission_id)


# --- HTTP -------------------------------------------------------------------------------------


@pytest.fixture
def api() -> tuple[Client, World]:
    world = World()
    return public_client(world.services, site_root=_nowhere()), world


def _nowhere() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent


ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}


def test_get_shows_a_bilingual_confirmation_page_and_changes_nothing(api) -> None:
    client, world = api
    receipt, token = world.subscribe()
    response = client.get("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER)
    page = link_page_text(response)
    assert "구독 해지" in page
    assert "Unsubscribe" in page
    assert 'name="List-Unsubscribe" value="One-Click"' in page
    assert response.headers["X-Frame-Options"] == "DENY"
    assert world.exists(receipt.submission_id)


def test_one_click_post_destroys_the_subscription_and_a_second_is_a_clear_no_op(api) -> None:
    client, world = api
    receipt, token = world.subscribe()
    first = client.post("/v1/unsubscribe", query_string={"token": token}, **ONE_CLICK)
    assert first.status_code == 200
    assert not world.exists(receipt.submission_id)
    second = client.post(
        "/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"}, **ONE_CLICK
    )
    assert second.status_code == 200
    assert second.get_json()["status"] == "already_unsubscribed"
    assert len(world.ledger(LedgerKind.DESTRUCTION)) == 1


@pytest.mark.parametrize("body", [{"json": {}}, {}])
def test_the_pages_button_may_post_json_or_nothing(api, body: dict[str, Any]) -> None:
    client, world = api
    receipt, token = world.subscribe()
    response = client.post(
        "/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"}, **body
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "unsubscribed"
    assert not world.exists(receipt.submission_id)


def test_json_clients_get_the_state_without_personal_information(api) -> None:
    client, world = api
    receipt, token = world.subscribe()
    body = client.get("/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"})
    assert body.get_json()["status"] == "subscribed"
    assert body.get_json()["retained_until"].startswith(receipt.retained_until.date().isoformat())
    for value in every_pi_value():
        assert value not in body.get_data(as_text=True)


def test_a_bad_link_gets_a_page_for_browsers_and_the_error_shape_for_json(api) -> None:
    client, world = api
    receipt, token = world.subscribe()
    # Well formed but with a secret that is not the record's: it names no subscription (as an unknown id).
    page = client.post("/v1/unsubscribe", query_string={"token": altered(token)}, headers=BROWSER, **ONE_CLICK)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "링크가 올바르지 않습니다" in page.get_data(as_text=True)
    # Cut short, it is not a link's token at all: a bad request, with the same page for a person.
    short = client.get("/v1/unsubscribe", query_string={"token": token[:-1]}, headers=BROWSER)
    assert short.status_code == 400
    assert "링크가 올바르지 않습니다" in short.get_data(as_text=True)

    for query, status, code in (
        ({"token": altered(token)}, 404, "not_found"),
        ({"token": token[:-1]}, 400, "unsubscribe_link_invalid"),
        ({}, 422, "validation_failed"),
    ):
        answer = client.get("/v1/unsubscribe", query_string=query, headers={"Accept": "application/json"})
        assert answer.status_code == status
        error = answer.get_json()["error"]
        assert error["code"] == code
        assert error["message"]
    assert world.exists(receipt.submission_id)


def test_an_expired_link_is_gone(api) -> None:
    client, world = api
    receipt, token = world.subscribe()
    world.at(receipt.retained_until)
    page = client.get("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER)
    assert page.status_code == 410
    assert "만료" in page.get_data(as_text=True)
    answer = client.post("/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"})
    assert answer.status_code == 410
    assert answer.get_json()["error"]["code"] == "unsubscribe_link_expired"


def test_both_methods_are_in_the_openapi_document(api) -> None:
    client, _ = api
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/v1/unsubscribe"])


def _page(response: Any) -> str:
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


def test_a_downloaders_pages_say_marketing_consent_is_withdrawn_never_destroyed(api) -> None:
    client, world = api
    receipt, token = world.download()
    until = receipt.retained_until.date().isoformat()
    confirm = _page(client.get("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER))
    assert "마케팅 이메일 수신 거부" in confirm
    assert "Stop marketing email" in confirm
    assert "are not destroyed" in confirm
    assert "destroyed at once" not in confirm
    done = _page(client.post("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER, **ONE_CLICK))
    assert "마케팅 이메일 수신 동의가 철회되었습니다" in done
    assert "Your consent to marketing email is withdrawn" in done
    assert "were not destroyed" in done
    assert "have been destroyed" not in done
    assert "파기되었습니다" not in done
    assert until in done
    again = _page(client.post("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER, **ONE_CLICK))
    assert "Marketing email already stopped" in again
    assert "destroyed" not in again
    answer = client.get("/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"})
    assert answer.get_json()["status"] == "already_unsubscribed"
    assert answer.get_json()["effect"] == "marketing_consent_withdrawn"
    assert answer.get_json()["retained_until"].startswith(until)
    assert world.exists(receipt.submission_id)


def test_a_blog_subscribers_pages_say_destroyed_then_already_cancelled(api) -> None:
    client, world = api
    _, token = world.subscribe()
    confirm = _page(client.get("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER))
    assert "destroyed at once" in confirm
    done = client.post("/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"})
    assert done.get_json()["effect"] == "subscription_destroyed"
    assert "have been destroyed" in done.get_json()["message"]
    again = _page(client.post("/v1/unsubscribe", query_string={"token": token}, headers=BROWSER, **ONE_CLICK))
    assert "Already unsubscribed" in again
    assert "이미 해지된 구독입니다" in again
    json_again = client.get("/v1/unsubscribe", query_string={"token": token}, headers={"Accept": "application/json"})
    assert json_again.get_json()["effect"] is None
