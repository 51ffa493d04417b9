"""Where the API's routes live. API Gateway's resources (stacks), local mode's gateway emulator, the staff
app's routes and its route × role table all read these prefixes."""

from __future__ import annotations

API_PREFIX = "/v1"
# The staff API: its own function, behind the Cognito authorizer.
STAFF_PREFIX = f"{API_PREFIX}/staff"
# The data subjects' rights routes: a resource of their own, for their own (lower) throttle.
RIGHTS_PREFIX = f"{API_PREFIX}/rights"
