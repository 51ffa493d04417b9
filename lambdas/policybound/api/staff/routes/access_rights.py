"""Staff access rights (§8.2): the PI manager grants, changes and revokes staff groups in the user
pool; each change is recorded in the access_rights ledger and kept three years."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import ConfigDict, Field

from policybound.api.dependencies import access_rights
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.auth import CurrentActor
from policybound.api.staff.schemas import BODY_ERRORS, StaffUserOut, StaffUsersOut
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.staff.access_rights import REFERENCE_PATTERN, AccessRights
from policybound.domain.staff.actor import STAFF_GROUPS

router = APIGatewayRouter()

Rights = Annotated[AccessRights, Depends(access_rights)]
Username = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[\w.+@-]+$")]
# The domain checks both (with answers that name the rule); the schema states them for clients, in a body
# and in the revocation's query alike.
_REFERENCE_RULES: dict[str, Any] = {
    "min_length": 1,
    "max_length": 64,
    "json_schema_extra": {"pattern": REFERENCE_PATTERN.pattern},
}
Reference = Field(**_REFERENCE_RULES, description="The approval's ticket or document reference.")
_GROUP: dict[str, Any] = {"type": "string", "enum": list(STAFF_GROUPS)}
_NOT_FOUND = {404: "not_found (no such staff account)"}


class GrantIn(LazyModel):
    model_config = ConfigDict(extra="forbid")
    group: str = Field(json_schema_extra=_GROUP, description="pi_manager, staff or auditor")
    reference: str = Reference


class GroupsIn(LazyModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[str] = Field(
        max_length=len(STAFF_GROUPS),
        json_schema_extra={"items": _GROUP},
        description="The account's groups after the change.",
    )
    reference: str = Reference


@router.get(
    "/users",
    summary="Staff accounts and their groups (pi_manager)",
    operation_id="listStaffUsers",
    tags=[Tag.STAFF_ACCESS_RIGHTS],
    responses=answers(200, StaffUsersOut, "Staff accounts"),
)
def list_users(rights: Rights) -> StaffUsersOut:
    return StaffUsersOut(items=[StaffUserOut.of(user) for user in rights.users()])


@router.post(
    "/users/<username>/groups",
    summary="Grant a staff group (pi_manager)",
    operation_id="grantGroup",
    tags=[Tag.STAFF_ACCESS_RIGHTS],
    middlewares=[json_body_guard],
    responses=answers(200, StaffUserOut, "The account after the grant", _NOT_FOUND | BODY_ERRORS),
)
def grant_group(
    username: Username, body: Annotated[GrantIn, Body()], actor: CurrentActor, rights: Rights
) -> Response[StaffUserOut]:
    return json_response(200, StaffUserOut.of(rights.grant(actor, username, body.group, body.reference)))


@router.put(
    "/users/<username>/groups",
    summary="Change a staff account's groups (pi_manager)",
    operation_id="setGroups",
    tags=[Tag.STAFF_ACCESS_RIGHTS],
    middlewares=[json_body_guard],
    responses=answers(200, StaffUserOut, "The account after the change", _NOT_FOUND | BODY_ERRORS),
)
def change_groups(
    username: Username, body: Annotated[GroupsIn, Body()], actor: CurrentActor, rights: Rights
) -> StaffUserOut:
    return StaffUserOut.of(rights.change(actor, username, body.groups, body.reference))


@router.delete(
    "/users/<username>/groups/<group>",
    summary="Revoke a staff group (pi_manager)",
    operation_id="revokeGroup",
    tags=[Tag.STAFF_ACCESS_RIGHTS],
    responses=answers(200, StaffUserOut, "The account after the revocation", _NOT_FOUND | VALIDATION_FAILED),
)
def revoke_group(
    username: Username,
    group: Annotated[str, Path(min_length=1, max_length=32, json_schema_extra=_GROUP)],
    reference: Annotated[str, Query(**_REFERENCE_RULES, description="The approval's reference.")],
    actor: CurrentActor,
    rights: Rights,
) -> StaffUserOut:
    return StaffUserOut.of(rights.revoke(actor, username, group, reference))
