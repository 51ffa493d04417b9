"""Who is calling a staff route, as API Gateway's Cognito authorizer tells it.

API Gateway verifies the user pool's token before the function runs and passes the token's claims in
`requestContext.authorizer.claims` (REST proxy: every claim a string). Local mode's gateway does the
same after verifying the local pool's token. Nothing here verifies signatures: a request that reaches
the function without claims did not come through the authorizer and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.request import Request
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from policybound.domain.core.errors import Unauthorized
from policybound.domain.staff.actor import Actor, Role

__all__ = ["Role"]  # defined in `policybound.domain.staff.actor`, beside the group names the stacks create


@dataclass(frozen=True)
class StaffPrincipal:
    user_id: str
    username: str
    groups: frozenset[Role]
    source_ip: str | None
    # The app client the token was issued to (an id token's `aud`).
    app_client: str = ""

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.groups & roles)


# The REST authorizer flattens the token's `cognito:groups` array into one string, which has been seen
# both as "a,b" and as "[a b]"; a JSON-ish list is accepted too.
_GROUP_SEPARATORS = re.compile(r"[\s,\[\]\"']+")


def parse_groups(raw: Any) -> frozenset[Role]:
    names = raw if isinstance(raw, list) else _GROUP_SEPARATORS.split(str(raw or ""))
    known = {role.value for role in Role}
    return frozenset(Role(name) for name in names if name in known)


def claims_of(event: APIGatewayProxyEvent) -> dict[str, Any]:
    authorizer = event.request_context.authorizer
    return dict(authorizer.claims) if authorizer else {}


def principal_of(event: APIGatewayProxyEvent) -> StaffPrincipal | None:
    """The caller, or None when the event carries no usable claims."""
    claims = claims_of(event)
    user_id, username = str(claims.get("sub") or ""), str(claims.get("cognito:username") or "")
    # An access token has no `cognito:username`; the authorizer of the staff API takes id tokens only.
    if not user_id or not username or claims.get("token_use", "id") != "id":
        return None
    return StaffPrincipal(
        user_id=user_id,
        username=username,
        groups=parse_groups(claims.get("cognito:groups")),
        source_ip=event.request_context.identity.source_ip,
        app_client=str(claims.get("aud") or ""),
    )


def _epoch_claim(value: Any) -> int | None:
    # Numbers arrive as strings; the REST authorizer has also been seen to render times as dates.
    text = str(value or "").strip()
    if text.isdigit():
        return int(text)
    try:
        return int(datetime.strptime(text, "%a %b %d %H:%M:%S UTC %Y").replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def session_of(event: APIGatewayProxyEvent) -> tuple[int | None, str | None]:
    """When the caller signed in (`auth_time`) and the sign-in's token id (`origin_jti`), if given."""
    claims = claims_of(event)
    return _epoch_claim(claims.get("auth_time")), (str(claims["origin_jti"]) if claims.get("origin_jti") else None)


def actor_of(principal: StaffPrincipal) -> Actor:
    return Actor(
        user_id=principal.user_id,
        username=principal.username,
        source_ip=principal.source_ip,
        manager=Role.PI_MANAGER in principal.groups,
    )


def current_staff(request: Request) -> StaffPrincipal:
    """Depends() provider: the staff member calling the route. Powertools injects `request` into
    dependencies that declare it; routes take it as a `CurrentStaff` parameter."""
    event = request.resolved_event
    principal = principal_of(event) if isinstance(event, APIGatewayProxyEvent) else None
    if principal is None:
        raise Unauthorized("Sign in as staff: this route needs a valid token from the staff user pool.")
    return principal


def current_actor(request: Request) -> Actor:
    """Depends() provider: the caller as the domain sees them (who acts, from where)."""
    return actor_of(current_staff(request))


def route_of(request: Request) -> str:
    """The route being served, as access records name it: method and path template, no values."""
    return f"{request.method} {request.route}"


# What staff routes declare as parameters: Powertools resolves each once per request (its dependency
# cache), and none of them is a request parameter, so none appears in the OpenAPI document.
CurrentStaff = Annotated[StaffPrincipal, Depends(current_staff)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
RouteName = Annotated[str, Depends(route_of)]
