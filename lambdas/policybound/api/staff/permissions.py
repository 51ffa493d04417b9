"""The one route × role table of the staff API, and the one check that enforces it.

Every staff route is listed here as (HTTP method, route path as registered in Powertools) with the
roles that may call it. A route that is not listed answers 403 to everyone: adding a route without
deciding who may call it cannot open it. Each area adds its own rows, in its own block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.event_handler import Response

from policybound.api.dependencies import staff_directory, staff_sessions
from policybound.api.paths import STAFF_PREFIX
from policybound.api.staff.auth import Role, StaffPrincipal, principal_of, session_of
from policybound.domain.core.errors import Forbidden, Unauthorized
from policybound.domain.staff.ports import StaffDirectory
from policybound.domain.staff.sessions import LiveSession, StaffSessions

RouteKey = tuple[str, str]


def staff_route(method: str, path: str) -> RouteKey:
    """A row's key: the method and the route's path as registered, under the staff prefix."""
    return method, f"{STAFF_PREFIX}{path}"


ANY_STAFF = frozenset(Role)
PI_HANDLERS = frozenset({Role.STAFF, Role.PI_MANAGER})
AUDIT = frozenset({Role.AUDITOR, Role.PI_MANAGER})
MANAGER = frozenset({Role.PI_MANAGER})
AUDITOR = frozenset({Role.AUDITOR})

ROUTE_ROLES: dict[RouteKey, frozenset[Role]] = {
    # --- who am I -------------------------------------------------------------------
    staff_route("GET", "/me"): ANY_STAFF,
    staff_route("DELETE", "/session"): ANY_STAFF,
    # --- purpose-limited reads of PI -------------------------------------------------
    staff_route("GET", "/submissions"): PI_HANDLERS,
    staff_route("GET", "/submissions/<submission_id>"): PI_HANDLERS,
    staff_route("GET", "/subjects"): PI_HANDLERS,
    staff_route("GET", "/marketing-audience"): PI_HANDLERS,
    # --- ledger and access review ----------------------------------------------------
    staff_route("GET", "/ledger"): AUDIT,
    staff_route("GET", "/ledger/verify"): AUDITOR,
    staff_route("GET", "/access-review"): AUDIT,
    # --- evidence: reconciliation and destruction reports ---------------------------------------
    staff_route("GET", "/evidence/reconciliation"): AUDIT,
    staff_route("GET", "/evidence/destructions"): AUDIT,
    # --- access rights ---------------------------------------------------------------
    staff_route("GET", "/users"): MANAGER,
    staff_route("POST", "/users/<username>/groups"): MANAGER,
    staff_route("PUT", "/users/<username>/groups"): MANAGER,
    staff_route("DELETE", "/users/<username>/groups/<group>"): MANAGER,
    # --- breach response -------------------------------------------------------------
    staff_route("POST", "/incidents"): MANAGER,
    staff_route("GET", "/incidents/<incident_id>"): MANAGER,
    staff_route("POST", "/incidents/<incident_id>/notices"): MANAGER,
    # --- legal holds ------------------------------------------------------------------
    staff_route("POST", "/legal-holds"): MANAGER,
    staff_route("GET", "/legal-holds/<hold_id>"): MANAGER,
    staff_route("DELETE", "/legal-holds/<hold_id>"): MANAGER,
    # --- rights requests and third-party provision -----------------------------------
    staff_route("POST", "/rights-requests"): MANAGER,
    staff_route("GET", "/rights-requests"): MANAGER,
    staff_route("GET", "/rights-requests/<request_id>"): MANAGER,
    staff_route("POST", "/rights-requests/<request_id>/complete"): MANAGER,
    staff_route("POST", "/disclosures"): MANAGER,
    # --- inquiries: answers and status management (§2) ------------------------------------------
    staff_route("GET", "/inquiries"): PI_HANDLERS,
    staff_route("GET", "/inquiries/<submission_id>"): PI_HANDLERS,
    staff_route("POST", "/inquiries/<submission_id>/replies"): PI_HANDLERS,
    staff_route("PATCH", "/inquiries/<submission_id>"): PI_HANDLERS,
    # --- letters to the marketing audience (§2) -------------------------------------------------
    staff_route("POST", "/letters"): PI_HANDLERS,
    staff_route("GET", "/letters/audience"): PI_HANDLERS,
    staff_route("GET", "/letters/<letter_id>"): PI_HANDLERS,
}


def _roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(sorted(role.value for role in roles)) or "no role"


def check_access(app: Any, app_clients: frozenset[str]) -> StaffPrincipal:
    """The caller of the route being resolved, if its role may call it; otherwise Unauthorized or
    Forbidden. Identity comes first: an anonymous caller learns nothing about the route's roles.

    API Gateway's Cognito authorizer accepts an id token of any app client of the pool; only tokens
    issued to the staff console's client (`app_clients`) are staff sign-ins."""
    principal = principal_of(app.current_event)
    if principal is None or principal.app_client not in app_clients:
        raise Unauthorized("Sign in as staff: this route needs a valid token from the staff user pool.")
    route = app.context.get("_route")
    allowed = ROUTE_ROLES.get((route.method, route.path)) if route is not None else None
    if not allowed:
        raise Forbidden("This route is not open to any staff role.")
    if not principal.has_any(allowed):
        raise Forbidden(f"This route is for {_roles_text(allowed)}; your groups are {_roles_text(principal.groups)}.")
    return principal


def _sessions(app: Any) -> StaffSessions:
    provider = app.dependency_overrides.get(staff_sessions, staff_sessions)
    sessions: StaffSessions = provider()
    return sessions


def _directory(app: Any) -> StaffDirectory:
    provider = app.dependency_overrides.get(staff_directory, staff_directory)
    directory: StaffDirectory = provider()
    return directory


def check_still_granted(principal: StaffPrincipal, directory: StaffDirectory) -> None:
    """The user pool's word now, not the token's from sign-in: the caller must still exist, be enabled
    and be in every group the token names. A group taken away anywhere (the staff API, the Cognito
    console or CLI) or a disabled account is refused at the next request, though the token is valid for
    up to an hour more; a new sign-in carries the current groups. Asked on every request, uncached: staff
    are few, and any cache would be a window in which a revoked member still reads PI."""
    user = directory.user(principal.username)
    if user is None or not user.enabled or not {role.value for role in principal.groups} <= user.groups:
        raise Unauthorized("Your access rights changed after you signed in; sign in again.")


@dataclass(frozen=True)
class StaffGate:
    """The whole gate of the staff app, for tokens of these app clients."""

    app_clients: frozenset[str]

    def admit(self, app: Any) -> LiveSession:
        """The route × role table, the pool's current groups, then the session's idle and day limits. The
        staff app's middleware runs it before every route, and its validation-error handler before any
        verdict, since Powertools validates requests before middleware runs. It only reads."""
        principal = check_access(app, self.app_clients)
        check_still_granted(principal, _directory(app))
        auth_time, origin_jti = session_of(app.current_event)
        return _sessions(app).check(principal.user_id, auth_time, origin_jti)

    def middleware(self, app: Any, next_middleware: Any) -> Response[Any]:
        """Global middleware of the staff app: nothing runs for a caller the gate does not admit, and only
        work that succeeded keeps a session alive (a refused request stores nothing)."""
        session = self.admit(app)
        response: Response[Any] = next_middleware(app)
        if response.status_code < 400:
            _sessions(app).seen(session)
        return response
