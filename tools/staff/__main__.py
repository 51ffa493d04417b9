"""`python -m tools.staff create --email … --name … --role pi_manager|staff|auditor`: a staff member in the
deployed staff user pool, ready for their first sign-in.

What "ready" takes, all of which the console alone would get wrong:
- the account's username is its email address (the pool signs in by email), marked verified so a password
  reset can reach it;
- `custom:password_changed_at` is stamped now: the sign-in trigger refuses a password without a stamp (or
  older than 90 days), and the temporary password counts as set today;
- one group, the role; the group must exist before the account is made, and a failed group assignment
  deletes the account again (nothing half-made is left);
- Cognito generates the temporary password and mails it to the person (valid 3 days); at first sign-in
  they choose their own password and set up their authenticator app (TOTP is required).

The pool is the `StaffUserPoolId` output of the PolicyboundApi stack (or --user-pool-id). Exit status 2 is a
usage error, 1 a refusal by Cognito (the message says which); nothing is changed in either case.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from policybound.adapters.cognito import PASSWORD_CHANGED_ATTRIBUTE
from policybound.domain.staff.actor import Role
from policybound.policy import AWS_REGION

API_STACK = "PolicyboundApi"
POOL_OUTPUT = "StaffUserPoolId"


class StaffToolError(Exception):
    """Said to the operator as it is; nothing was changed."""


def pool_id_from_stack(cloudformation: Any, stack: str = API_STACK) -> str:
    try:
        (described,) = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as error:
        raise StaffToolError(f"cannot read stack {stack}: {error.response['Error']['Message']}") from error
    for output in described.get("Outputs", []):
        if output["OutputKey"] == POOL_OUTPUT:
            return str(output["OutputValue"])
    raise StaffToolError(f"stack {stack} has no {POOL_OUTPUT} output: deploy it first (docs/deploy.md)")


def create_staff_member(
    cognito: Any, pool_id: str, *, email: str, name: str, role: Role, now: datetime
) -> dict[str, str]:
    """Creates the account, stamps its password date, adds it to its role's group; all or nothing."""
    try:
        cognito.get_group(UserPoolId=pool_id, GroupName=role.value)
    except ClientError as error:
        raise StaffToolError(
            f"the pool {pool_id} has no group {role.value!r} ({error.response['Error']['Code']})"
        ) from error
    try:
        user = cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=email,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": name},
                {"Name": PASSWORD_CHANGED_ATTRIBUTE, "Value": now.isoformat()},
            ],
            DesiredDeliveryMediums=["EMAIL"],
        )["User"]
    except ClientError as error:
        raise StaffToolError(f"Cognito refused the account: {error.response['Error']['Message']}") from error
    username = str(user["Username"])
    try:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role.value)
    except ClientError as error:
        cognito.admin_delete_user(UserPoolId=pool_id, Username=username)
        message = error.response["Error"]["Message"]
        raise StaffToolError(
            f"adding the account to {role.value!r} failed, so it was deleted again: {message}"
        ) from error
    return {"username": username, "status": str(user.get("UserStatus", "")), "group": role.value}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tools.staff", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a staff member who signs in with a temporary password")
    create.add_argument("--email", required=True, help="their work email address (also their username)")
    create.add_argument("--name", required=True, help="their full name, as staff and auditors will see it")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.add_argument("--user-pool-id", help=f"default: the {POOL_OUTPUT} output of the {API_STACK} stack")
    create.add_argument("--region", default=AWS_REGION)
    return parser


def main(argv: Sequence[str] | None = None, now: datetime | None = None) -> int:
    args = _parser().parse_args(argv)
    if "@" not in args.email:
        print(f"error: --email {args.email!r} is not an email address", file=sys.stderr)
        return 2
    try:
        pool_id = args.user_pool_id or pool_id_from_stack(boto3.client("cloudformation", region_name=args.region))
        created = create_staff_member(
            boto3.client("cognito-idp", region_name=args.region),
            pool_id,
            email=args.email.strip(),
            name=args.name.strip(),
            role=Role(args.role),
            now=now or datetime.now(UTC),
        )
    except StaffToolError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"created {args.email} in {pool_id} (group {created['group']}, {created['status']}): Cognito mailed a "
        "temporary password, valid 3 days; at first sign-in they choose a password and set up an authenticator app."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
