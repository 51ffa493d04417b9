"""Breach response (§8): the PI manager opens an incident, sees whose records were involved and the
72-hour clock, and sends the notices."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field, StringConstraints

from policybound.api.dependencies import incident_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.staff.answers import answers
from policybound.api.staff.auth import CurrentActor, RouteName
from policybound.api.staff.schemas import BODY_ERRORS, IncidentOut, NoticesOut
from policybound.domain.core.json_fields import Instant
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.normalize import FreeText
from policybound.domain.incidents.model import IncidentCategory, SuspectAccess
from policybound.domain.incidents.service import IncidentService, NewIncident
from policybound.obligations import BREACH_NOTICE_DEADLINE, whole_hours

router = APIGatewayRouter()

IncidentId = Annotated[str, Path(min_length=1, max_length=64)]
Incidents = Annotated[IncidentService, Depends(incident_service)]
# Submission ids and Cognito `sub`s are UUIDs; the bound keeps any other text out of keys and the ledger.
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class SuspectAccessIn(LazyModel):
    model_config = ConfigDict(extra="forbid")
    staff_user_ids: list[Identifier] = Field(min_length=1, max_length=20)
    since: Instant
    until: Instant


class IncidentIn(LazyModel):
    model_config = ConfigDict(extra="forbid")
    category: IncidentCategory
    discovered_at: Instant
    reference: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    summary: Annotated[str, FreeText(2000, "long_text")] = Field(description="What happened, as subjects will read it.")
    measures: Annotated[str, FreeText(2000, "long_text")] = Field(
        description="What the company does, and the remedies."
    )
    submission_ids: list[Identifier] = Field(default_factory=list, max_length=1000)
    suspect_access: SuspectAccessIn | None = None


@router.post(
    "/incidents",
    summary="Open a breach incident (pi_manager)",
    description=(
        "Involved records are those named in `submission_ids` plus every record the accounts in `suspect_access` "
        "read, exported or changed in its window (from the access records). Opening is the incident's "
        'confirmation: the notices go to every involved subject at once (policy §8, "immediately"), each address '
        f"read an access record (purpose incident_response); the {whole_hours(BREACH_NOTICE_DEADLINE)}-hour clock "
        "from `discovered_at` is the outer limit. A notice that could not go out stays owed "
        "(`subjects[].notified`), for the notices route."
    ),
    operation_id="openIncident",
    tags=[Tag.STAFF_INCIDENTS],
    middlewares=[json_body_guard],
    responses=answers(201, IncidentOut, "Opened", BODY_ERRORS),
)
def open_incident(
    body: Annotated[IncidentIn, Body()], actor: CurrentActor, route: RouteName, incidents: Incidents
) -> Response[IncidentOut]:
    suspect = body.suspect_access
    view = incidents.open(
        actor,
        NewIncident(
            category=body.category,
            discovered_at=body.discovered_at,
            reference=body.reference,
            summary=body.summary,
            measures=body.measures,
            submission_ids=tuple(body.submission_ids),
            suspect_access=SuspectAccess(tuple(suspect.staff_user_ids), suspect.since, suspect.until)
            if suspect
            else None,
        ),
        route,
    )
    return json_response(201, IncidentOut.of(view))


@router.get(
    "/incidents/<incident_id>",
    summary=f"An incident: involved subjects and the {whole_hours(BREACH_NOTICE_DEADLINE)}-hour clock (pi_manager)",
    operation_id="getIncident",
    tags=[Tag.STAFF_INCIDENTS],
    responses=answers(200, IncidentOut, "The incident", {404: "not_found"}),
)
def read_incident(incident_id: IncidentId, incidents: Incidents) -> IncidentOut:
    return IncidentOut.of(incidents.view(incident_id))


@router.post(
    "/incidents/<incident_id>/notices",
    summary="Send the breach notice to every involved subject not told yet (pi_manager)",
    description=(
        "Opening an incident sends its notices already; this sends what is still owed (a notice that could not go "
        "out then). One notice per person; each address read is an access record (purpose incident_response)."
    ),
    operation_id="sendIncidentNotices",
    tags=[Tag.STAFF_INCIDENTS],
    responses=answers(200, NoticesOut, "Notices sent", {404: "not_found"}),
)
def send_notices(incident_id: IncidentId, actor: CurrentActor, route: RouteName, incidents: Incidents) -> NoticesOut:
    return NoticesOut.of(incidents.send_notices(actor, incident_id, route))
