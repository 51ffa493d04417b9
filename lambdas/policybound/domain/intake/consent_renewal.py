"""Asking for consent again when the policy adds items, purposes or recipients (§12).

A version that adds an item, a purpose or a recipient to a form takes effect on its date, by the clock.
Records of that form consented under an earlier version keep that version and its purposes: the addition
is not assumed. Each affected person gets one mail (Korean and English) with a link; following it shows
what is added, and confirming records the new version and purposes on each of their affected records,
with a consent ledger entry. An added purpose that needs its own consent (email marketing, PIPA art. 22)
is asked apart: it is added only when the person gives that consent itself, and confirming the rest
without it adds everything else. Nobody is mailed twice for the same version: the request is claimed on the record
(by one conditional write) before the mail goes, and a person's records share one request.

The link carries `<submission_id>.<secret>`, like the unsubscribe link (see `domain.retention.unsubscribe`
for why that is as strong as a signed token): 256 random bits, kept only as a SHA-256 hash on the
records, bound to the person's records, expiring after `CONSENT_LINK_VALID_FOR`, and good for one
consent — a second use changes nothing and says the consent was given already.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from policybound import policy
from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import ConsentLinkExpired, ConsentLinkInvalid, ConsentLinkUnknown, Unavailable
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.mail import consent_renewal_request
from policybound.domain.core.model import ConsentRequest, RecordStatus, StoredSubmission
from policybound.domain.core.ports import Mailer, SubmissionStore
from policybound.domain.core.records import RecordReader
from policybound.domain.core.sealing import hash_secret, split_link_token
from policybound.domain.staff.ports import FormIndex, IndexPosition
from policybound.policy import ITEMS, POLICY_TIMEZONE, PURPOSE_TEXT, Additions, FormId, Purpose, Recipient

# Long enough to read a mail after a holiday; after it the person keeps what they agreed to before.
CONSENT_LINK_VALID_FOR = timedelta(days=30)
# The hourly runs look for people to ask during this long after a version takes effect (a run reads
# every record of the affected forms; records that become active meanwhile are caught by a later run).
# After it they stop: a person never asked keeps what they agreed to, which is the safe side of §12.
ASKING_PERIOD = timedelta(days=30)
PAGE_SIZE = 100


@dataclass(frozen=True)
class ConsentRenewal:
    """A person's consent to the version they were asked about, for one record: what the store checks
    (the request's token hash and version, the record's version before) and what it writes."""

    submission_id: str
    token_hash: str
    from_version: str
    version: str
    purposes: tuple[Purpose, ...]
    at: datetime
    entry: LedgerDraft


class ConsentRequestStore(SubmissionStore, Protocol):
    def ids_of_guardian(self, guardian: str) -> list[str]: ...

    def ask_consent(self, submission_id: str, request: ConsentRequest) -> bool:
        """Put the request on the record unless one for the same version is there already (or the record
        is gone). True when this call put it there."""
        ...

    def drop_consent_request(self, submission_id: str, token_hash: str) -> None:
        """Take back a request whose mail could not be sent (only that request), so a later run asks again."""
        ...

    def renew_consent(self, renewal: ConsentRenewal) -> bool:
        """Record the consent to the request's version: the record's version and purposes become the new
        ones and the request is answered, with the ledger entry, in one transaction. False when the record
        is gone, its request is another, it was answered, or its version is no longer `from_version`."""
        ...


class RenewalState(StrEnum):
    # The link is good: the page shows what is added and asks.
    ASKED = "asked"
    # Given by this request.
    RENEWED = "renewed"
    # Given before (a second click, a retried POST): nothing changed.
    ALREADY_RENEWED = "already_renewed"


@dataclass(frozen=True)
class Renewal:
    """What a consent link asks, or what answering it recorded: the version and what it adds."""

    state: RenewalState
    version: str
    effective_date: str
    items_added: tuple[str, ...]
    # Consented to together with the items and recipients (one answer).
    purposes_added: tuple[Purpose, ...]
    valid_until: datetime
    # Each asked on its own answer; once renewed, the ones the person gave.
    purposes_asked_apart: tuple[Purpose, ...] = ()
    recipients_added: tuple[Recipient, ...] = ()
    purposes_given_apart: tuple[Purpose, ...] = ()


@dataclass
class AskReport:
    """What one run of asking did, for its metrics."""

    people_mailed: int = 0
    records_asked: int = 0
    mail_failures: int = 0
    complete: bool = True


@dataclass(frozen=True)
class _Person:
    """One person's records, under the key that answers for them (their own, or their representative's)."""

    key: str
    records: tuple[StoredSubmission, ...] = field(default_factory=tuple)


def parse_token(token: str | None) -> tuple[str, str]:
    parts = split_link_token(token)
    if parts is None:
        raise ConsentLinkInvalid(
            "This consent link is incomplete or has been altered. Open the link from the mail again, or copy the "
            "whole address into the browser. Nothing was changed."
        )
    return parts


def _added(record: StoredSubmission, version: str) -> Additions:
    if not policy.is_declared(record.consent.policy_version) or not policy.is_declared(version):
        return Additions()
    return policy.additions(record.consent.policy_version, version, record.form)


def _added_to_any(records: list[StoredSubmission], version: str) -> Additions:
    """What `version` adds to any of a person's records: what their one mail and page name."""
    added = Additions()
    for record in records:
        added |= _added(record, version)
    return added


@dataclass(eq=False, repr=False)
class ConsentRenewals:
    """Asks the people a new version affects for their consent, and records their answer."""

    store: ConsentRequestStore
    forms: FormIndex
    reader: RecordReader
    mailer: Mailer
    clock: Clock
    renewal_url: Callable[[str], str]
    page_size: int = PAGE_SIZE

    # --- asking (the hourly sweep) ---

    def ask(self, keep_going: Callable[[], bool] = lambda: True) -> AskReport:
        """Mail every affected person who was not asked for the version in force yet."""
        now = self.clock.now()
        today = now.astimezone(POLICY_TIMEZONE).date()
        current = policy.version_in_force(today)
        earlier = [v.version for v in policy.VERSIONS if v.effective_date < current.effective_date]
        report = AskReport()
        if today - current.effective_date > ASKING_PERIOD:
            return report
        for form in FormId:
            if not any(policy.additions(v, current.version, form) for v in earlier):
                continue
            after: IndexPosition | None = None
            while True:
                if not keep_going():
                    report.complete = False
                    return report
                page = self.forms.newest(form, self.page_size, after)
                for position in page:
                    self._consider(position.submission_id, current.version, now, report)
                if len(page) < self.page_size:
                    break
                after = page[-1]
        return report

    def _needs_asking(self, record: StoredSubmission | None, version: str) -> bool:
        if record is None or record.status is not RecordStatus.ACTIVE or record.consent.policy_version == version:
            return False
        if record.consent_request is not None and record.consent_request.version == version:
            return False  # asked already: never twice for the same version
        return bool(_added(record, version))

    def _person(self, record: StoredSubmission) -> _Person:
        """The records one person consented to: a child's are their legal representative's to answer."""
        if record.consent.under_14 and record.guardian:
            ids = self.store.ids_of_guardian(record.guardian)
            key = record.guardian
        else:
            ids = self.store.ids_of_subject(record.subject)
            key = record.subject
        found = (self.reader.live(i) for i in ids)
        return _Person(key, tuple(r for r in found if r is not None and (r.guardian or r.subject) == key))

    def _consider(self, submission_id: str, version: str, now: datetime, report: AskReport) -> None:
        record = self.reader.live(submission_id)
        if not self._needs_asking(record, version):
            return
        assert record is not None
        person = self._person(record)
        waiting = [r for r in person.records if self._needs_asking(r, version)] or [record]
        pending = next(
            (
                r.consent_request
                for r in person.records
                if r.consent_request is not None
                and r.consent_request.version == version
                and r.consent_request.answered_at is None
                and r.consent_request.expires_at > now
            ),
            None,
        )
        if pending is not None:
            # The person has a link for this version already (mailed for another record): it covers these too.
            report.records_asked += sum(self.store.ask_consent(r.submission_id, pending) for r in waiting)
            return
        secret = secrets.token_urlsafe(32)
        request = ConsentRequest(version, hash_secret(secret), now, now + CONSENT_LINK_VALID_FOR)
        claimed = [r for r in waiting if self.store.ask_consent(r.submission_id, request)]
        if not claimed:
            return
        anchor = claimed[0]
        opened = self.reader.open(anchor)
        if opened is None:  # destroyed between the reads
            self._release(claimed, request)
            return
        fields = opened.data.fields
        to = opened.data.representative.email if opened.data.representative else fields["email"]
        name = opened.data.representative.name if opened.data.representative else fields.get("name", "")
        added = _added_to_any(claimed, version)
        published = next(v for v in policy.VERSIONS if v.version == version)
        mail = consent_renewal_request(
            to,
            name,
            self.renewal_url(f"{anchor.submission_id}.{secret}"),
            published.effective_date.isoformat(),
            tuple(ITEMS[i].label for i in added.items),
            tuple(PURPOSE_TEXT[p] for p in added.purposes_asked_together),
            request.expires_at.astimezone(POLICY_TIMEZONE).date().isoformat(),
            recipients=tuple(r.name for r in added.recipients),
            asked_apart=tuple(PURPOSE_TEXT[p] for p in added.purposes_asked_apart),
        )
        try:
            self.mailer.send(mail)
        except Unavailable:
            # Known unsent (SES refused or was unreachable): the next run asks again.
            self._release(claimed, request)
            report.mail_failures += 1
            return
        report.people_mailed += 1
        report.records_asked += len(claimed)

    def _release(self, records: list[StoredSubmission], request: ConsentRequest) -> None:
        for r in records:
            self.store.drop_consent_request(r.submission_id, request.token_hash)

    # --- answering (the link) ---

    def _request(self, token: str | None) -> tuple[StoredSubmission, ConsentRequest]:
        submission_id, secret = parse_token(token)
        record = self.store.get(submission_id)
        request = record.consent_request if record is not None else None
        if record is None or request is None or not hmac.compare_digest(request.token_hash, hash_secret(secret)):
            # Altered, superseded, or for details gone without a trace (never kept ones look the same).
            raise ConsentLinkUnknown(
                "This consent link names no request for consent that we keep: it may have been altered, or the "
                "details it was for are no longer kept. Open the link of the latest mail. Nothing was changed."
            )
        if not self.reader.is_live(record):
            raise ConsentLinkExpired(
                "The details this consent link was for are no longer kept, so there is nothing to consent to."
            )
        return record, request

    def _covered(self, anchor: StoredSubmission, request: ConsentRequest) -> list[StoredSubmission]:
        return [
            r
            for r in self._person(anchor).records
            if r.consent_request is not None and hmac.compare_digest(r.consent_request.token_hash, request.token_hash)
        ]

    def _renewal(
        self,
        state: RenewalState,
        records: list[StoredSubmission],
        request: ConsentRequest,
        given_apart: frozenset[Purpose] = frozenset(),
    ) -> Renewal:
        added = _added_to_any(records, request.version)
        published = next(v for v in policy.VERSIONS if v.version == request.version)
        return Renewal(
            state,
            request.version,
            published.effective_date.isoformat(),
            added.items,
            added.purposes_asked_together,
            request.expires_at,
            purposes_asked_apart=added.purposes_asked_apart,
            recipients_added=added.recipients,
            purposes_given_apart=tuple(p for p in added.purposes_asked_apart if p in given_apart),
        )

    def check(self, token: str | None) -> Renewal:
        """What the link asks, changing nothing: mail scanners follow links; consent is a person's act."""
        anchor, request = self._request(token)
        if request.answered_at is not None:
            return self._renewal(RenewalState.ALREADY_RENEWED, [], request)
        if self.clock.now() >= request.expires_at:
            raise self._expired()
        return self._renewal(RenewalState.ASKED, self._covered(anchor, request), request)

    @staticmethod
    def _expired() -> ConsentLinkExpired:
        return ConsentLinkExpired(
            "This consent link has expired. Your details are still used only as you agreed before; nothing was changed."
        )

    def renew(self, token: str | None, given_apart: frozenset[Purpose] = frozenset()) -> Renewal:
        """Record the consent on each of the person's records the request covers: to what is added, and to
        each purpose asked apart that is in `given_apart` (the person's own answer to it); the others are
        refused, and refusing them refuses nothing else."""
        anchor, request = self._request(token)
        now = self.clock.now()
        if request.answered_at is not None:
            return self._renewal(RenewalState.ALREADY_RENEWED, [], request)
        if now >= request.expires_at:
            raise self._expired()
        covered = [r for r in self._covered(anchor, request) if r.consent_request and not r.consent_request.answered_at]
        shown = self._renewal(RenewalState.RENEWED, covered, request, given_apart)
        for record in covered:
            added = _added(record, request.version)
            added_purposes = added.purposes_asked_together + tuple(
                p for p in added.purposes_asked_apart if p in given_apart
            )
            refused = [p.value for p in added.purposes_asked_apart if p not in given_apart]
            purposes = record.consent.purposes + tuple(p for p in added_purposes if p not in record.consent.purposes)
            entry = LedgerDraft.about_record(
                LedgerKind.CONSENT,
                now,
                "consent_renewed",
                record,
                from_version=record.consent.policy_version,
                policy_version=request.version,
                items_added=list(added.items),
                purposes_added=[p.value for p in added_purposes],
                purposes_refused=refused,
                recipients_added=[r.name.en for r in added.recipients],
                purposes=[p.value for p in purposes],
            )
            # False: answered meanwhile by another click, or the record changed; either way nothing is owed.
            self.store.renew_consent(
                ConsentRenewal(
                    record.submission_id,
                    request.token_hash,
                    record.consent.policy_version,
                    request.version,
                    purposes,
                    now,
                    entry,
                )
            )
        return shown
