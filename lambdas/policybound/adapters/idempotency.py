"""Idempotency-Key support with Powertools' idempotency utility and its DynamoDB persistence layer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError

from policybound.domain.core.errors import Unavailable


class PowertoolsIdempotency:
    def __init__(self, table_name: str, dynamodb: Any, expires_after_seconds: int = 3600) -> None:
        persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb)
        config = IdempotencyConfig(
            event_key_jmespath="key",
            # The same key with another body is a client bug, not a retry: refuse it.
            payload_validation_jmespath="fingerprint",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=expires_after_seconds,
        )

        @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
        def run_once(request: dict[str, str], operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
            return operation()

        self._run_once = run_once
        self._config = config

    def register_lambda_context(self, context: Any) -> None:
        # Lets an in-progress record expire with the invocation, so a retry after a timeout works.
        self._config.register_lambda_context(context)

    def run(self, key: str, fingerprint: str, operation: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        try:
            result: dict[str, Any] = self._run_once(
                request={"key": key, "fingerprint": fingerprint}, operation=operation
            )
        except IdempotencyPersistenceLayerError as error:
            raise Unavailable("DynamoDB") from error
        return result
