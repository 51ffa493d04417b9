"""Lambda entry point of the staff API (/v1/staff/*), behind API Gateway's Cognito authorizer."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound.adapters.metrics import publish_metrics
from policybound.api.staff.app import create_staff_app
from policybound.settings import SettingsError, load_settings
from policybound.wiring import Wiring

# The service name comes from POWERTOOLS_SERVICE_NAME (set per function by the stacks), so the
# child loggers of shared modules (`Logger(child=True)`) find this logger as their parent.
logger = Logger()

# What the staff routes read: records, holds, requests, disclosures, incidents, sessions and the pool.
SETTINGS = (
    "records_table",
    "keys_table",
    "ledger_table",
    "disclosures_table",
    "legal_holds_table",
    "rights_requests_table",
    "incidents_table",
    "staff_sessions_table",
    "letters_table",
    "letter_deliveries_table",
    "letter_queue_url",
    "data_key_id",
    "blind_index_key_id",
    "mail_sender",
    "public_base_url",
    "allowed_origins",
    "staff_user_pool_id",
    "staff_app_client_ids",
)
_settings = load_settings(*SETTINGS)
if _settings.staff_user_pool_id is None:
    # Access-rights changes call the staff user pool; fail at start-up, not on the first grant.
    raise SettingsError("invalid Policybound settings: STAFF_USER_POOL_ID: the staff API needs the staff user pool")
_wiring = Wiring(_settings)
if not _settings.staff_app_client_ids:
    # Without them no token would be admitted; say so at start-up rather than 401 to everyone.
    raise SettingsError(
        "invalid Policybound settings: STAFF_APP_CLIENT_IDS: the staff API needs the console's app client"
    )
app = create_staff_app(_wiring.settings.allowed_origins, _wiring.settings.staff_app_client_ids)
app.dependency_overrides.update(_wiring.providers())


# Events are never logged: their claims and bodies can hold personal information.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        return app.resolve(event, context)
    finally:
        publish_metrics()
