"""Which spellings of an address are one mailbox: only those mail systems deliver to the same place.

The blind index, rights codes, staff look-ups, legal holds by address and the guardian check all
compare addresses through one function, so each row here holds for all of them.
"""

from __future__ import annotations

import pytest

from policybound.domain.core.normalize import mailbox, normalize_email, subject_key
from policybound.domain.core.ports import OutgoingMail
from policybound.domain.rights.service import RightsKind
from tests.support.fakes import FakeBlindIndex
from tests.support.rights import DECOY, RightsWorld, world_with_an_inquiry

SAME_MAILBOX = [
    # The domain is case-insensitive, and fullwidth or ideographic-full-stop spellings of it are
    # mapped to the same IDNA 2008 label by every resolver.
    ("minji@example.co.kr", "minji@EXAMPLE.CO.KR"),
    ("ceo@business.com", "ceo@ＢＵＳＩＮＥＳＳ.com"),
    ("ceo@business.com", "ceo@business。com"),
    # An IDN and its punycode (A-label) are the same domain, in any letter case.
    ("ceo@münchen.de", "ceo@xn--mnchen-3ya.de"),
    ("ceo@münchen.de", "ceo@XN--MNCHEN-3YA.DE"),
    ("ceo@münchen.de", "ceo@MÜNCHEN.de"),
    ("ceo@münchen.de", "ceo@mu\u0308nchen.de"),  # decomposed ü (canonically equivalent)
    ("ceo@busineß.com", "ceo@xn--busine-gta.com"),
    ("a@例え.jp", "a@xn--r8jz45g.jp"),
    # Canonical equivalence (NFC) in the local part: the same characters, encoded two ways.
    ("jos\u00e9@example.com", "jose\u0301@example.com"),
    ("\u212aim@example.com", "Kim@example.com"),  # the Kelvin sign is canonically K
]

DIFFERENT_MAILBOXES = [
    # IDNA 2008 keeps ß: busineß.com is a separately registrable domain, not business.com.
    ("ceo@busineß.com", "ceo@business.com"),
    ("ceo@xn--busine-gta.com", "ceo@business.com"),
    # Unicode case folding would merge these local parts; a mail server does not.
    ("ſales@example.com", "sales@example.com"),  # long s
    ("\u212aim@example.com", "kim@example.com"),  # Kelvin sign
    ("straße@example.com", "strasse@example.com"),
    ("ÄRGER@example.com", "ärger@example.com"),
    # The local part is the receiving server's, which may tell case apart (RFC 5321 §2.4).
    ("Minji@example.co.kr", "minji@example.co.kr"),
    # Compatibility forms are different characters in a local part.
    ("ｓales@example.com", "sales@example.com"),  # fullwidth s
    ("ﬁnance@example.com", "finance@example.com"),  # fi ligature
    ("①@example.com", "1@example.com"),
    # Different IDNs stay different.
    ("ceo@münchen.de", "ceo@munchen.de"),
    ("a@例え.jp", "a@例え.com"),
    ("user@bücher.example", "user@bucher.example"),
]


@pytest.mark.parametrize(("one", "other"), SAME_MAILBOX)
def test_spellings_of_one_mailbox_share_one_identity(one: str, other: str) -> None:
    assert mailbox(normalize_email(one)) == mailbox(normalize_email(other))
    index = FakeBlindIndex()
    assert index.subject_of(normalize_email(one)) == index.subject_of(normalize_email(other))


@pytest.mark.parametrize(("one", "other"), DIFFERENT_MAILBOXES)
def test_distinct_mailboxes_never_share_an_identity(one: str, other: str) -> None:
    assert mailbox(normalize_email(one)) != mailbox(normalize_email(other))
    assert subject_key(normalize_email(one)) != subject_key(normalize_email(other))
    index = FakeBlindIndex()
    assert index.subject_of(normalize_email(one)) != index.subject_of(normalize_email(other))


def test_the_identity_uses_the_domains_a_label() -> None:
    assert mailbox("ceo@münchen.de") == "ceo@xn--mnchen-3ya.de"
    assert mailbox("Minji@Example.co.kr") == "Minji@example.co.kr"


def code_request(owner: str, asker: str, kind: RightsKind) -> tuple[RightsWorld, OutgoingMail]:
    """`asker` asks for a code where `owner` has an inquiry: the world, and the one mail that sends."""
    world = world_with_an_inquiry(email=normalize_email(owner))
    world.rights.request_code(normalize_email(asker), kind)
    [mail] = world.mailer.sent
    return world, mail


@pytest.mark.parametrize(("owner", "asker"), DIFFERENT_MAILBOXES)
def test_a_look_alike_address_gets_only_a_decoy_and_reaches_nothing(owner: str, asker: str) -> None:
    world, mail = code_request(owner, asker, RightsKind.ERASURE)
    assert mail.to == (DECOY,)
    assert world.store.ids_of_subject(world.blind_index.subject_of(normalize_email(asker))) == []


@pytest.mark.parametrize(("owner", "asker"), SAME_MAILBOX)
def test_another_spelling_of_the_owners_mailbox_gets_the_code_at_that_spelling(owner: str, asker: str) -> None:
    _, mail = code_request(owner, asker, RightsKind.ACCESS)
    assert mail.to == (normalize_email(asker),)
