"""Lambda entry point of the staff user pool's Cognito triggers: pre-authentication (a try claimed, or a
locked account refused), post-authentication (tries given back, password age) and post-confirmation of
a password reset (the new password's date stamped, tries given back). The rules live in
`policybound.domain.staff.sign_in`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from policybound.adapters.cognito import PASSWORD_CHANGED_ATTRIBUTE, stamp_password_changed
from policybound.domain.staff.sign_in import SignInRefused
from policybound.settings import load_settings
from policybound.wiring import Wiring

# The service name comes from POWERTOOLS_SERVICE_NAME (set per function by the stacks), so the
# child loggers of shared modules (`Logger(child=True)`) find this logger as their parent.
logger = Logger()

# Sign-in failures only; Cognito passes the pool id in each event.
SETTINGS = ("staff_sign_ins_table",)
_wiring = Wiring(load_settings(*SETTINGS))


# The event holds the user's attributes (e-mail), so it is never logged.
@logger.inject_lambda_context(log_event=False, clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    source = str(event.get("triggerSource", ""))
    # Also for a user name that does not exist (`request.userNotFound`): it is counted and locked alike,
    # so no answer tells the two apart.
    username = str(event["userName"])
    attributes = event.get("request", {}).get("userAttributes", {})
    guard = _wiring.sign_in_guard
    try:
        if source.startswith("PreAuthentication_"):
            guard.before(username)
        elif source.startswith("PostAuthentication_"):
            guard.succeeded(username, attributes.get(PASSWORD_CHANGED_ATTRIBUTE))
        elif source == "PostConfirmation_ConfirmForgotPassword":
            stamp_password_changed(_wiring.ports.cognito, str(event["userPoolId"]), username, _wiring.clock.now())
            guard.password_reset(username)
    except SignInRefused:
        # Cognito refuses the sign-in and shows the error's message ("PreAuthentication failed with error …").
        logger.info("sign-in refused", extra={"trigger": source})
        raise
    return event
