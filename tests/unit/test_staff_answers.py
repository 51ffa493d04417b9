"""A staff route's documented answers: its success first, then every staff route's refusals, then its own
(in that order: the OpenAPI document lists them so)."""

from __future__ import annotations

from pydantic import BaseModel

from policybound.api.schemas import ErrorOut
from policybound.api.staff.answers import VALIDATION_FAILED, answers
from policybound.api.staff.schemas import STAFF_ERRORS


class ThingOut(BaseModel):
    name: str


def test_the_success_comes_first_with_its_model_then_the_staff_refusals_then_the_routes_own() -> None:
    documented = answers(201, ThingOut, "Made", {404: "not_found"} | VALIDATION_FAILED)
    assert list(documented) == [201, *STAFF_ERRORS, 404, 422]
    assert documented[201] == {"description": "Made", "content": {"application/json": {"model": ThingOut}}}
    assert documented[404] == {"description": "not_found", "content": {"application/json": {"model": ErrorOut}}}


def test_a_success_without_a_model_documents_no_body_and_every_staff_refusal_is_listed() -> None:
    documented = answers(204, None, "Signed out")
    assert documented[204] == {"description": "Signed out"}
    assert {status: answer["description"] for status, answer in documented.items() if status != 204} == STAFF_ERRORS
