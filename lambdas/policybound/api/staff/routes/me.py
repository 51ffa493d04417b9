"""GET /v1/staff/me: who the staff API takes the caller to be, and what their groups allow."""

from typing import Annotated

from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel

from policybound.api.openapi import Tag
from policybound.api.staff.auth import StaffPrincipal, current_staff
from policybound.api.staff.schemas import STAFF_ERRORS, error_responses, ok

router = APIGatewayRouter()


class StaffMeOut(BaseModel):
    user_id: str
    username: str
    groups: list[str]


@router.get(
    "/v1/staff/me",
    summary="The signed-in staff member",
    description="The user pool identity and groups this API sees for the caller's token. Holds no PI of subjects.",
    operation_id="getStaffSession",
    tags=[Tag.STAFF_SESSION],
    responses=ok(200, StaffMeOut, "The caller") | error_responses(STAFF_ERRORS),
)
def who_am_i(staff: Annotated[StaffPrincipal, Depends(current_staff)]) -> StaffMeOut:
    return StaffMeOut(user_id=staff.user_id, username=staff.username, groups=sorted(staff.groups))
