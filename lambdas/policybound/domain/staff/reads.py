"""Purpose-limited reads of PI by staff (§2, §3, §6): the only way staff see decrypted records.

A record is handed over only for a purpose it was collected and consented for, or to answer the
subject's own rights request. That purpose is granted, not declared: it is the PI manager's, and the
read names an open rights request (`rights_request_id`) and reaches only that request's person and
records; the access record names the request. A legal hold's investigation (§4.2) is granted the same
way: the PI manager names an active hold (`legal_hold_id`) and reads, one at a time, the records it
names — also those whose use ended under the hold, which every other read treats as gone. Records
under correction (restricted) are neither used nor provided for any collection purpose (§6); records
awaiting a legal representative are for the PI manager only. Every read writes an access record
first; if that fails, nothing is handed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from policybound.domain.core.errors import FieldProblem, Forbidden, NotFound
from policybound.domain.core.model import LegalHold, RecordStatus, RequestOrigin, StoredSubmission
from policybound.domain.core.ports import BlindIndex, LegalHoldStore
from policybound.domain.core.records import OpenRecord, RecordReader
from policybound.domain.rights.request_model import RightsRequest, RightsRequestStatus, RightsRequestStore
from policybound.domain.staff.access_records import AccessAction, AccessPurpose, AccessRecorder
from policybound.domain.staff.actor import Actor
from policybound.domain.staff.pagination import Page, merged_page
from policybound.domain.staff.ports import FormIndex
from policybound.policy import FORMS, MARKETING_PURPOSES, FormId, Purpose, forms_kept_for

# Awaiting the legal representative of a child under 14: only the PI manager sees these.
MANAGER_ONLY_STATUSES = frozenset({"pending_guardian"})


@dataclass(frozen=True)
class RecordView:
    """A record as staff may see it for one purpose."""

    record: StoredSubmission
    purpose: AccessPurpose
    fields: dict[str, str]
    # The consent proof's request origin (§1.2) is shown only to answer the subject's own request or to
    # the investigation a legal hold serves.
    origin: RequestOrigin | None


@dataclass(frozen=True)
class AudienceMember:
    """A record a letter may go to, with the marketing purposes it may be used for now."""

    submission_id: str
    form: FormId
    purposes: tuple[Purpose, ...]
    name: str
    email: str


@dataclass(frozen=True)
class Grant:
    """The purpose a read runs under (None: each record's own first purpose) and, for rights_request,
    the open request that grants it, or for legal_hold the active hold."""

    purpose: AccessPurpose | None
    request: RightsRequest | None = None
    hold: LegalHold | None = None

    def covers(self, record: StoredSubmission) -> bool:
        """A rights request reaches its person's records and the records it names, nobody else's; a hold
        reaches the records it holds."""
        if self.hold is not None:
            return record.submission_id in self.hold.submission_ids
        if self.request is None:
            return self.purpose not in _GRANTED_PURPOSES
        return record.submission_id in self.request.submission_ids or record.subject == self.request.subject

    @property
    def request_id(self) -> str | None:
        return self.request.request_id if self.request else None

    @property
    def hold_id(self) -> str | None:
        return self.hold.hold_id if self.hold else None


_REQUEST_ID_FIELD = "query.rights_request_id"
_HOLD_ID_FIELD = "query.legal_hold_id"
# Purposes that are not asked for but granted, each by a case the PI manager names.
_GRANTED_PURPOSES = frozenset({AccessPurpose.RIGHTS_REQUEST, AccessPurpose.LEGAL_HOLD})
# The purposes that may read records that are not active (restricted, awaiting a representative).
_BEYOND_USE = _GRANTED_PURPOSES


def _primary(form: FormId) -> AccessPurpose:
    return AccessPurpose(FORMS[form].purposes[0].value)


def _forbid_status(status: str, actor: Actor) -> None:
    if status in MANAGER_ONLY_STATUSES and not actor.manager:
        raise Forbidden(f"Records with status {status!r} are for the PI manager only.")


def purpose_for_status(status: RecordStatus, requested: AccessPurpose | None, actor: Actor) -> AccessPurpose | None:
    """The purpose a listing of `status` runs under; None means each form's own first purpose."""
    if requested is AccessPurpose.INCIDENT_RESPONSE:
        raise Forbidden("Breach notices read records through the incident routes only.")
    if status is not RecordStatus.ACTIVE:
        _forbid_status(status.value, actor)
        if requested not in _BEYOND_USE:
            raise Forbidden(
                f"Records with status {status.value!r} are neither used nor provided (§6); they may be read only "
                "to answer the subject's own request: say so with purpose=rights_request."
            )
        return requested
    return requested


def forms_for(form: FormId | None, purpose: AccessPurpose | None) -> tuple[FormId, ...]:
    collected_for = purpose.collection_purpose if purpose else None
    if form is not None:
        if collected_for is not None and form not in forms_kept_for(frozenset({collected_for})):
            raise Forbidden(f"{form.value} records were not collected for {purpose}; choose one of its purposes.")
        return (form,)
    if collected_for is None:
        return tuple(FormId)
    return forms_kept_for(frozenset({collected_for}))


def allows(record: StoredSubmission, purpose: AccessPurpose, actor: Actor, grant: Grant) -> bool:
    """May this record be handed over for `purpose`? Judged on the record's own consent and status,
    and for a rights request on whether the request reaches it."""
    if record.status.value in MANAGER_ONLY_STATUSES and not actor.manager:
        return False
    if purpose in _GRANTED_PURPOSES:
        return grant.covers(record)
    collected_for = purpose.collection_purpose
    return (
        record.status is RecordStatus.ACTIVE and collected_for is not None and collected_for in record.consent.purposes
    )


def _one_at_a_time(grant: Grant) -> None:
    if grant.hold is not None:
        raise Forbidden(
            "A legal hold's investigation reads the records the hold names one at a time "
            "(GET /v1/staff/submissions/{submission_id}?purpose=legal_hold&legal_hold_id=…)."
        )


def _marketing_wanted(purpose: AccessPurpose | None) -> frozenset[Purpose]:
    asked = purpose.collection_purpose if purpose else None
    wanted = MARKETING_PURPOSES if purpose is None else frozenset({asked} if asked else ())
    if not wanted or not wanted <= MARKETING_PURPOSES:
        raise Forbidden(f"The marketing audience is for {', '.join(sorted(MARKETING_PURPOSES))} only.")
    return wanted


def marketing_purposes_of(record: StoredSubmission) -> tuple[Purpose, ...]:
    """The marketing purposes this record may be used for now: none unless it is active."""
    if record.status is not RecordStatus.ACTIVE:
        return ()
    return tuple(p for p in record.consent.purposes if p in MARKETING_PURPOSES)


@dataclass(frozen=True)
class _Case:
    """A case that grants a purpose to the PI manager: the query field that names it, and what the
    refusals say to someone else, or to a request that does not name it."""

    purpose: AccessPurpose
    field: str
    for_whom: str
    name_it: str

    def only_with_its_purpose(self, purpose: AccessPurpose | None, case_id: str | None) -> None:
        if case_id is not None and purpose is not self.purpose:
            raise Forbidden(
                f"{self.field.removeprefix('query.')} goes with purpose={self.purpose.value} only.",
                (FieldProblem(self.field, f"is only for purpose={self.purpose.value}"),),
            )

    def named_by_the_manager(self, actor: Actor, case_id: str | None) -> str:
        if not actor.manager:
            raise Forbidden(self.for_whom)
        if case_id is None:
            raise Forbidden(self.name_it, (FieldProblem(self.field, f"is required for purpose={self.purpose.value}"),))
        return case_id


_LEGAL_HOLD = _Case(
    AccessPurpose.LEGAL_HOLD,
    _HOLD_ID_FIELD,
    for_whom="Reading records for a legal hold's investigation is for the PI manager (§4.2).",
    name_it="Name the legal hold whose investigation you serve with legal_hold_id.",
)
_RIGHTS_REQUEST = _Case(
    AccessPurpose.RIGHTS_REQUEST,
    _REQUEST_ID_FIELD,
    for_whom="Reading records to answer a rights request is for the PI manager (§6).",
    name_it="Name the open rights request you are answering with rights_request_id.",
)


@dataclass(eq=False, repr=False)
class StaffReads:
    """Staff reads of records: who may read what, for which purpose, each read recorded first."""

    index: FormIndex
    reader: RecordReader
    blind_index: BlindIndex
    recorder: AccessRecorder
    requests: RightsRequestStore
    holds: LegalHoldStore

    def grant(
        self,
        actor: Actor,
        purpose: AccessPurpose | None,
        rights_request_id: str | None,
        legal_hold_id: str | None = None,
    ) -> Grant:
        """What the caller may read under: a collection purpose as asked, or a rights request that is open
        (or a legal hold that is active), named, and read by the PI manager. Anything else is refused
        before a record is touched."""
        if purpose is AccessPurpose.INCIDENT_RESPONSE:
            raise Forbidden("Breach notices read records through the incident routes only.")
        # A case grants reading for itself only: its id goes with its own purpose.
        _LEGAL_HOLD.only_with_its_purpose(purpose, legal_hold_id)
        _RIGHTS_REQUEST.only_with_its_purpose(purpose, rights_request_id)
        if purpose is AccessPurpose.LEGAL_HOLD:
            hold = self.holds.get(_LEGAL_HOLD.named_by_the_manager(actor, legal_hold_id))
            if hold is None or not hold.active:
                raise Forbidden(
                    "legal_hold_id names no active legal hold.",
                    (FieldProblem(_HOLD_ID_FIELD, "names no active legal hold"),),
                )
            return Grant(purpose, hold=hold)
        if purpose is AccessPurpose.RIGHTS_REQUEST:
            request = self.requests.get(_RIGHTS_REQUEST.named_by_the_manager(actor, rights_request_id))
            if request is None or request.status is not RightsRequestStatus.OPEN:
                raise Forbidden(
                    "rights_request_id names no open rights request; record the request first "
                    "(POST /v1/staff/rights-requests).",
                    (FieldProblem(_REQUEST_ID_FIELD, "names no open rights request"),),
                )
            return Grant(purpose, request)
        return Grant(purpose)

    def _view(self, opened: OpenRecord, purpose: AccessPurpose) -> RecordView:
        origin = opened.data.origin if purpose in _GRANTED_PURPOSES else None
        return RecordView(opened.record, purpose, dict(opened.data.fields), origin)

    def _open_all(self, records: Iterable[tuple[StoredSubmission, AccessPurpose]]) -> list[RecordView]:
        views = []
        for record, purpose in records:
            opened = self.reader.open(record)
            if opened is not None:
                views.append(self._view(opened, purpose))
        return views

    def _record(
        self,
        actor: Actor,
        action: AccessAction,
        views: Sequence[RecordView],
        route: str,
        asked: Iterable[AccessPurpose],
        grant: Grant,
    ) -> None:
        purposes = {view.purpose for view in views} or set(asked)
        ids = [view.record.submission_id for view in views]
        self.recorder.record(
            actor, action, purposes, ids, route, rights_request_id=grant.request_id, legal_hold_id=grant.hold_id
        )

    def submissions(
        self,
        actor: Actor,
        *,
        form: FormId | None,
        status: RecordStatus,
        purpose: AccessPurpose | None,
        limit: int,
        cursor: str | None,
        route: str,
        rights_request_id: str | None = None,
    ) -> Page[RecordView]:
        grant = self.grant(actor, purpose, rights_request_id)
        _one_at_a_time(grant)
        purpose = purpose_for_status(status, purpose, actor)
        forms = forms_for(form, purpose)
        page = merged_page(self.index, forms, limit, cursor)
        chosen: list[tuple[StoredSubmission, AccessPurpose]] = []
        for listed in page.items:
            record = self.reader.live(listed.position.submission_id)
            if record is None or record.status is not status:
                continue
            effective = purpose or _primary(record.form)
            if allows(record, effective, actor, grant):
                chosen.append((record, effective))
        views = self._open_all(chosen)
        asked = [purpose] if purpose else [_primary(f) for f in forms]
        self._record(actor, AccessAction.LIST, views, route, asked, grant)
        return Page(views, page.next_cursor)

    def submission(
        self,
        actor: Actor,
        submission_id: str,
        purpose: AccessPurpose | None,
        route: str,
        rights_request_id: str | None = None,
        legal_hold_id: str | None = None,
    ) -> RecordView:
        grant = self.grant(actor, purpose, rights_request_id, legal_hold_id)
        # Only the hold's investigation sees a held record whose use has ended; for it that is the point.
        record = self.reader.preserved(submission_id) if grant.hold else self.reader.live(submission_id)
        if record is None:
            raise NotFound("No live submission has this id.")
        effective = purpose_for_status(record.status, purpose, actor) or _primary(record.form)
        if not allows(record, effective, actor, grant):
            if grant.hold is not None:
                raise Forbidden("That legal hold does not hold this record.")
            if grant.request is not None:
                raise Forbidden("This record is neither named by nor of the person of that rights request.")
            raise Forbidden(f"This {record.form.value} record was not collected or consented for {effective}.")
        views = self._open_all([(record, effective)])
        if not views:
            raise NotFound("No live submission has this id.")
        self._record(actor, AccessAction.READ, views, route, [effective], grant)
        return views[0]

    def subject(
        self,
        actor: Actor,
        email: str,
        purpose: AccessPurpose | None,
        route: str,
        rights_request_id: str | None = None,
    ) -> list[RecordView]:
        """Every live record of one subject that the purpose allows, found through the blind index of the
        address. Without a purpose each record is judged for its own form's first purpose."""
        grant = self.grant(actor, purpose, rights_request_id)
        _one_at_a_time(grant)
        subject = self.blind_index.subject_of(email)
        if grant.request is not None and grant.request.subject != subject:
            raise Forbidden("That rights request is another person's; look up the address it was made for.")
        chosen = []
        for record in self.reader.of_subject(subject):
            effective = purpose or _primary(record.form)
            if allows(record, effective, actor, grant):
                chosen.append((record, effective))
        views = self._open_all(chosen)
        asked = [purpose] if purpose else sorted({_primary(form) for form in FormId})
        self._record(actor, AccessAction.LOOKUP, views, route, asked, grant)
        return views

    def marketing_selection(
        self, *, purpose: AccessPurpose | None, limit: int, cursor: str | None
    ) -> Page[tuple[StoredSubmission, AccessPurpose]]:
        """The marketing audience, one page of records (nothing opened, nothing recorded): the one
        definition the audience export and the letters both use."""
        wanted = _marketing_wanted(purpose)
        # Every form some version keeps for marketing: whether a record may be used is its own consent's say.
        forms = forms_kept_for(wanted)
        page = merged_page(self.index, forms, limit, cursor)
        live = self.reader.live_many([listed.position.submission_id for listed in page.items])
        chosen: list[tuple[StoredSubmission, AccessPurpose]] = []
        for listed in page.items:
            record = live.get(listed.position.submission_id)
            covered = [p for p in marketing_purposes_of(record) if p in wanted] if record is not None else []
            if record is not None and covered:
                chosen.append((record, AccessPurpose(covered[0].value)))
        return Page(chosen, page.next_cursor)

    def marketing_audience(
        self, actor: Actor, *, purpose: AccessPurpose | None, limit: int, cursor: str | None, route: str
    ) -> Page[AudienceMember]:
        """Subscribers who may get marketing or blog-letter email: active, live, and consented."""
        wanted = _marketing_wanted(purpose)
        page = self.marketing_selection(purpose=purpose, limit=limit, cursor=cursor)
        views = self._open_all(page.items)
        self._record(actor, AccessAction.EXPORT, views, route, [AccessPurpose(p.value) for p in wanted], Grant(purpose))
        members = [
            AudienceMember(
                submission_id=view.record.submission_id,
                form=view.record.form,
                purposes=tuple(p for p in view.record.consent.purposes if p in wanted),
                name=view.fields.get("name", ""),
                email=view.fields.get("email", ""),
            )
            for view in views
        ]
        return Page(members, page.next_cursor)
