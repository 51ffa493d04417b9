"""Rights requests received in writing, by phone or by email (§6), handled by the PI manager.

Each request records how it came in, what it asks, how the person's identity was verified, and the
records it concerns (found through the blind index of their address, never the address itself). It
is due 10 days after receipt (PIPA enforcement decree: within 10 days). While a correction request is
open, its records are restricted: not used, not provided (§6). Completing it records the outcome;
a fulfilled correction is applied through the same checks as the subject's own, and reaches every
recipient the record was provided to. Requests are kept 3 years.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated

from dateutil.relativedelta import relativedelta
from pydantic import ConfigDict, Field

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import (
    AlreadyCompleted,
    FieldProblem,
    NotFound,
    OutcomeDoesNotFit,
    Unavailable,
    ValidationFailed,
)
from policybound.domain.core.json_fields import Instant, Omittable
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.model import ID_PATTERN, random_id
from policybound.domain.core.normalize import email_schema, normalize_email
from policybound.domain.core.ports import BlindIndex, DestroyOutcome
from policybound.domain.core.records import RecordReader
from policybound.domain.core.shapes import Shape, one_of_shapes
from policybound.domain.retention.destruction import Destroyer
from policybound.domain.retention.withdrawal import PurposeWithdrawals, WithdrawalOutcome
from policybound.domain.rights.corrections import CorrectedBy, CorrectionPlan, Corrector
from policybound.domain.rights.request_model import (
    Channel,
    IdentityCheck,
    Outcome,
    RefusalBasis,
    RightsRequest,
    RightsRequestStatus,
    RightsRequestStore,
    due_on,
)
from policybound.domain.rights.service import RightsKind, RightsRecords, records_in_scope
from policybound.domain.staff.access_records import AccessAction, AccessPurpose, AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.obligations import RIGHTS_REQUEST_YEARS
from policybound.policy import ITEMS, POLICY_TIMEZONE, SEPARATELY_CONSENTED_PURPOSES

MAX_RECORDS_PER_REQUEST = 50


class RightsRequestIn(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: Channel
    kind: RightsKind
    identity_verification: IdentityCheck
    email: str = Field(
        min_length=3,
        max_length=1000,
        # Checked by email-validator, as the forms' addresses are.
        json_schema_extra=email_schema,
        description="The person's address, to find their records (or the legal representative's); not stored",
    )
    submission_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] | None = Field(
        default=None,
        max_length=MAX_RECORDS_PER_REQUEST,
        description="Only these of the person's records; all of them when omitted",
    )
    received_at: Instant | None = Field(default=None, description="When the request arrived; now when omitted")


def _outcome(outcome: Outcome, carries: tuple[str, ...], omits: tuple[str, ...]) -> Shape:
    return Shape(
        f"{outcome.value.title()}Completion",
        carries=carries,
        omits=omits,
        fixed={"outcome": {"type": "string", "enum": [outcome.value]}},
    )


class CompletionIn(LazyModel):
    # What fits the outcome is checked by `_check_completion` (its answers name the misfit); the schema
    # states it as one shape per outcome. Whether corrections fit depends on the request's kind.
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra=one_of_shapes(
            _outcome(Outcome.REFUSED, carries=("refusal_basis",), omits=("corrections",)),
            _outcome(Outcome.FULFILLED, carries=(), omits=("refusal_basis",)),
        ),
    )

    outcome: Outcome
    refusal_basis: Omittable[RefusalBasis] = None
    corrections: dict[str, dict[str, str | None]] | None = Field(
        default=None,
        max_length=MAX_RECORDS_PER_REQUEST,
        description="For a fulfilled rectification: per submission id, the corrected items (null removes one)",
        examples=[{"9f1c...": {"job_grade": "Director"}}],
    )


@dataclass(eq=False, repr=False)
class RightsRequestService:
    """Rights requests staff record for a person (writing, phone, email), from receipt to outcome."""

    store: RightsRequestStore
    records: RightsRecords
    reader: RecordReader
    destroyer: Destroyer
    corrector: Corrector
    blind_index: BlindIndex
    access: AccessRecorder
    clock: Clock
    new_id: Callable[[], str] = random_id
    withdrawals: PurposeWithdrawals | None = None

    def today(self) -> date:
        return self.clock.now().astimezone(POLICY_TIMEZONE).date()

    def receive(self, body: RightsRequestIn, actor: Actor, route: str) -> RightsRequest:
        now = self.clock.now()
        received_at = body.received_at or now
        if received_at > now:
            raise ValidationFailed(
                "A request cannot arrive in the future.", (FieldProblem("received_at", "is in the future"),)
            )
        try:
            email = normalize_email(body.email)
        except ValueError as error:
            raise ValidationFailed("The address is not valid.", (FieldProblem("email", str(error)),)) from None
        subject = self.blind_index.subject_of(email)
        in_scope = [record.submission_id for record, _ in records_in_scope(self.reader, self.records, subject)]
        if body.submission_ids is None:
            ids = tuple(in_scope)
        else:
            # One answer for "not theirs" and "no such record": a request names only the person's own.
            problems = tuple(
                FieldProblem(f"submission_ids[{i}]", "is not a record of this person")
                for i, submission_id in enumerate(body.submission_ids)
                if submission_id not in in_scope
            )
            if problems:
                raise NotFound("Some records are not this person's; see details.", problems)
            ids = tuple(dict.fromkeys(body.submission_ids))

        request = RightsRequest(
            request_id=self.new_id(),
            channel=body.channel,
            kind=body.kind,
            identity_verification=body.identity_verification,
            subject=subject,
            submission_ids=ids,
            received_at=received_at,
            due_on=due_on(received_at),
            recorded_by=actor.user_id,
            keep_until=received_at + relativedelta(years=RIGHTS_REQUEST_YEARS),
        )
        entry = LedgerDraft.event(
            LedgerKind.RIGHTS_REQUEST,
            now,
            "received",
            request_id=request.request_id,
            channel=request.channel.value,
            kind=request.kind.value,
            identity_verification=request.identity_verification.value,
            submission_ids=list(ids),
            due_on=request.due_on.isoformat(),
            recorded_by=actor.user_id,
        )
        restricted: list[str] = []
        try:
            if request.kind is RightsKind.RECTIFICATION:
                # §6: until the correction is done the record is neither used nor provided.
                for submission_id in ids:
                    if self.records.restrict(submission_id, request.request_id):
                        restricted.append(submission_id)
            self.store.put(request, entry)
        except Unavailable:
            # Without the request nothing would ever lift these restrictions: take them back.
            for submission_id in restricted:
                self.records.lift_restriction(submission_id, request.request_id)
            raise
        # Finding whose records these are is a lookup of personal information: on record, by id only.
        self.access.record(
            actor, AccessAction.LOOKUP, [AccessPurpose.RIGHTS_REQUEST], ids, route, rights_request_id=request.request_id
        )
        return request

    def get(self, request_id: str) -> RightsRequest:
        request = self.store.get(request_id)
        if request is None:
            raise NotFound("No rights request with this id.")
        return request

    def listing(self, status: RightsRequestStatus) -> list[RightsRequest]:
        """Earliest due first, so overdue requests lead."""
        return sorted(self.store.with_status(status), key=lambda r: (r.due_on, r.received_at))

    def complete(self, request_id: str, body: CompletionIn, actor: Actor, route: str) -> RightsRequest:
        request = self.get(request_id)
        if request.status is RightsRequestStatus.COMPLETED:
            raise AlreadyCompleted(f"This request was completed already ({request.outcome}); its outcome stands.")
        _check_completion(request, body)
        plans = self._plans(request, body) if body.corrections else []
        changing = [plan.opened.record.submission_id for plan in plans]
        erasing = request.kind is RightsKind.ERASURE and body.outcome is Outcome.FULFILLED
        withdrawing = request.kind is RightsKind.MARKETING_WITHDRAWAL and body.outcome is Outcome.FULFILLED
        if withdrawing and self.withdrawals is None:
            raise RuntimeError("RightsRequestService needs PurposeWithdrawals to withdraw marketing consents")
        if erasing or withdrawing:
            changing = list(request.submission_ids)
        if changing:
            # Written before anything changes: no correction or erasure by staff goes unrecorded.
            self.access.record(
                actor,
                AccessAction.CHANGE,
                [AccessPurpose.RIGHTS_REQUEST],
                changing,
                route,
                rights_request_id=request.request_id,
            )

        corrected: list[str] = []
        for plan in plans:
            self.corrector.apply(plan, CorrectedBy.STAFF, request.request_id)
            corrected += [name for name in plan.changed if name not in corrected]
        erased: list[str] = []
        retained: list[str] = []
        if erasing:
            for submission_id in request.submission_ids:
                record = self.reader.live(submission_id)
                if record is None:
                    continue
                outcome = self.destroyer.erase(record)
                (retained if outcome is DestroyOutcome.HELD else erased).append(submission_id)
        if request.kind is RightsKind.RECTIFICATION:
            for submission_id in request.submission_ids:
                self.records.lift_restriction(submission_id, request.request_id)
        withdrawn: list[str] = []
        if withdrawing:
            assert self.withdrawals is not None
            # The separate consent only (PIPA art. 22, 37): every other purpose of the records stays.
            for submission_id in request.submission_ids:
                outcomes = [
                    self.withdrawals.withdraw_purpose(submission_id, purpose)
                    for purpose in sorted(SEPARATELY_CONSENTED_PURPOSES)
                ]
                if WithdrawalOutcome.WITHDRAWN in outcomes:
                    withdrawn.append(submission_id)

        now = self.clock.now()
        done = replace(
            request,
            status=RightsRequestStatus.COMPLETED,
            outcome=body.outcome,
            refusal_basis=body.refusal_basis,
            completed_at=now,
            completed_by=actor.user_id,
            corrected_items=tuple(name for name in ITEMS if name in corrected),
            erased=tuple(erased),
            retained=tuple(retained),
            keep_until=now + relativedelta(years=RIGHTS_REQUEST_YEARS),
        )
        entry = LedgerDraft.event(
            LedgerKind.RIGHTS_REQUEST,
            now,
            "completed",
            request_id=request.request_id,
            kind=request.kind.value,
            outcome=body.outcome.value,
            refusal_basis=body.refusal_basis.value if body.refusal_basis else None,
            corrected_items=list(done.corrected_items),
            erased=list(done.erased),
            retained=list(done.retained),
            marketing_withdrawn=withdrawn,
            on_time=done.days_left(self.today()) >= 0,
            completed_by=actor.user_id,
        )
        if not self.store.complete(done, entry):
            raise AlreadyCompleted("This request was completed meanwhile by someone else; its outcome stands.")
        return done

    def _plans(self, request: RightsRequest, body: CompletionIn) -> list[CorrectionPlan]:
        """Every correction checked before any is stored: one bad item refuses them all."""
        assert body.corrections is not None
        plans = []
        for submission_id, patch in body.corrections.items():
            field = f"corrections.{submission_id}"
            record = self.reader.live(submission_id) if submission_id in request.submission_ids else None
            if record is None:
                raise OutcomeDoesNotFit(
                    "A correction names a record this request does not concern (or one that is gone).",
                    (FieldProblem(field, "is not a live record of this request"),),
                )
            plans.append(self.corrector.plan(record, patch, prefix=field))
        return plans


def _check_completion(request: RightsRequest, body: CompletionIn) -> None:
    problems: list[FieldProblem] = []
    if body.outcome is Outcome.REFUSED:
        if body.refusal_basis is None:
            problems.append(FieldProblem("refusal_basis", "is required when the outcome is refused"))
        if body.corrections:
            problems.append(FieldProblem("corrections", "are not applied when the request is refused"))
    elif body.refusal_basis is not None:
        problems.append(FieldProblem("refusal_basis", "is only for a refused request"))
    if problems:
        raise ValidationFailed("The outcome and its details do not go together; see details.", tuple(problems))
    # The body is whole; whether it fits depends on the request's kind.
    if body.outcome is Outcome.FULFILLED:
        if request.kind is RightsKind.RECTIFICATION and not body.corrections:
            problems.append(FieldProblem("corrections", "are required to fulfil a rectification request"))
        if request.kind is not RightsKind.RECTIFICATION and body.corrections:
            problems.append(FieldProblem("corrections", f"do not apply to a request of kind {request.kind.value}"))
    if problems:
        raise OutcomeDoesNotFit("The outcome does not fit this request; see details.", tuple(problems))
