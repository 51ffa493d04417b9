"""A staff route's documented answers: its success, then the refusals every staff route can give (the
authorizer's, the route × role table's, the session's: `STAFF_ERRORS`), then its own."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from policybound.api.staff.schemas import STAFF_ERRORS, error_responses, ok

VALIDATION_FAILED = {422: "validation_failed"}


def answers(
    status: int, model: type[BaseModel] | None, description: str, refused: dict[int, str] | None = None
) -> dict[int, Any]:
    """For a route's `responses=`: `status` (`description`; its body a `model`, or none documented), then
    `STAFF_ERRORS` and the route's own refusals (`refused`: status -> what it means)."""
    success = ok(status, model, description) if model else {status: {"description": description}}
    return success | error_responses(STAFF_ERRORS | (refused or {}))
