"""The staff session: GET /v1/staff/me (who the staff API takes the caller to be, what their groups allow,
when their session ends) and DELETE /v1/staff/session (sign-out). The console builds its menu from
`routes`, so the route × role table stays the one place that decides who may do what."""

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from policybound.api.dependencies import staff_sessions
from policybound.api.http import no_content
from policybound.api.openapi import Tag
from policybound.api.schemas import rfc3339
from policybound.api.staff.answers import answers
from policybound.api.staff.auth import CurrentStaff, StaffPrincipal, session_of
from policybound.api.staff.permissions import ROUTE_ROLES
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.staff.sessions import StaffSessions
from policybound.obligations import STAFF_IDLE_LIMIT, STAFF_SESSION_LIMIT

router = APIGatewayRouter()


class StaffMeOut(LazyModel):
    user_id: str
    username: str
    groups: list[str]
    routes: list[str] = Field(
        description="The staff routes the caller's groups may call, as 'METHOD /path' (path parameters as <name>)."
    )
    idle_limit_seconds: int = Field(description="A session without a successful request for this long ends.")
    session_ends_at: str | None = Field(description="When the session ends whatever its activity (RFC 3339).")


def routes_for(staff: StaffPrincipal) -> list[str]:
    return sorted(f"{method} {path}" for (method, path), roles in ROUTE_ROLES.items() if staff.has_any(roles))


@router.get(
    "/me",
    summary="The signed-in staff member",
    description=(
        "The user pool identity and groups this API sees for the caller's token, the routes those groups open, "
        "and the session's limits. Holds no PI of subjects."
    ),
    operation_id="getStaffSession",
    tags=[Tag.STAFF_SESSION],
    responses=answers(200, StaffMeOut, "The caller"),
)
def who_am_i(request: Request, staff: CurrentStaff) -> StaffMeOut:
    auth_time, _ = session_of(request.resolved_event)  # type: ignore[arg-type]
    ends = datetime.fromtimestamp(auth_time, UTC) + STAFF_SESSION_LIMIT if auth_time is not None else None
    return StaffMeOut(
        user_id=staff.user_id,
        username=staff.username,
        groups=sorted(staff.groups),
        routes=routes_for(staff),
        idle_limit_seconds=int(STAFF_IDLE_LIMIT.total_seconds()),
        session_ends_at=rfc3339(ends) if ends else None,
    )


@router.delete(
    "/session",
    operation_id="signOut",
    summary="Sign out: end this session",
    description=(
        "Ends the session the caller's token belongs to (one sign-in): every token of it, refreshed or not, is "
        "refused from now on. The console calls it at sign-out before it forgets the tokens."
    ),
    tags=[Tag.STAFF_SESSION],
    responses=answers(204, None, "Signed out"),
)
def sign_out(
    request: Request,
    staff: CurrentStaff,
    sessions: Annotated[StaffSessions, Depends(staff_sessions)],
) -> Response[None]:
    auth_time, origin_jti = session_of(request.resolved_event)  # type: ignore[arg-type]
    sessions.end(sessions.check(staff.user_id, auth_time, origin_jti))
    return no_content()
