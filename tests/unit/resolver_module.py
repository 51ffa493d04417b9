"""A stand-in API entry module: a Powertools resolver whose route waits for a second event to be under
way before it reads the event it is answering."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tests.unit.resolver_sync import BOTH_RESOLVING

app = APIGatewayRestResolver(enable_validation=True)


@app.get("/echo")
def echo(said: Annotated[str, Query()]) -> dict[str, str]:
    BOTH_RESOLVING.wait(timeout=10)
    return {"validated": said, "read": app.current_event.query_string_parameters["said"]}


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
