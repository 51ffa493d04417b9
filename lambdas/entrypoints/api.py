"""Lambda entry point of the public API. Parses nothing itself: the resolver routes, the domain decides."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound.adapters.metrics import publish_metrics
from policybound.api.public.app import create_app
from policybound.settings import load_settings
from policybound.wiring import Wiring

# The service name comes from POWERTOOLS_SERVICE_NAME (set per function by the stacks), so the
# child loggers of shared modules (`Logger(child=True)`) find this logger as their parent.
logger = Logger()

# What the public routes read: forms, cookies, visits, rights, unsubscribe and guardian confirmation.
SETTINGS = (
    "records_table",
    "keys_table",
    "ledger_table",
    "idempotency_table",
    "cookie_consents_table",
    "visits_table",
    "rights_verifications_table",
    "disclosures_table",
    "resources_bucket",
    "data_key_id",
    "blind_index_key_id",
    "mail_sender",
    "public_base_url",
    "allowed_origins",
)
_wiring = Wiring(load_settings(*SETTINGS))
app = create_app(_wiring.settings.allowed_origins)
app.dependency_overrides.update(_wiring.providers())


# Events are never logged: their bodies hold personal information.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    _wiring.ports.idempotency.register_lambda_context(context)
    try:
        return app.resolve(event, context)
    finally:
        publish_metrics()
