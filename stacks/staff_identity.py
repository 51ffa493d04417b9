"""Staff sign-in: a Cognito user pool whose groups are the roles the staff API checks.

§8.2 of the policy: PI is handled only by those in charge, with their own regularly renewed password,
and grants, changes and cancellations of access are managed — here every one of them is a Cognito API
call, recorded by the audit trail (management events) for at least three years.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.pi_tags import tag_value

# Roles of API.md's staff routes. The staff API checks the `cognito:groups` claim against these names.
STAFF_GROUPS: dict[str, str] = {
    "pi_manager": "Personal Information Manager: legal holds, disclosures, rights requests, all staff routes",
    "staff": "Staff in charge of inquiries and letters: read what their purpose allows",
    "auditor": "Auditors: read the ledger and verify its chain; no personal information",
}


class StaffIdentity(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            # Accounts are created by the PI manager only (§8.2 "managed grants").
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True, username=False),
            sign_in_case_sensitive=False,
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False, email=False),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Threat protection: blocks compromised-credential and risky sign-ins (cdk-nag COG3).
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        Tags.of(self.user_pool).add("policybound:holds", tag_value("Staff accounts (names and work email addresses)"))
        self.groups = {
            name: cognito.CfnUserPoolGroup(
                self, f"Group-{name}", user_pool_id=self.user_pool.user_pool_id, group_name=name, description=text
            )
            for name, text in STAFF_GROUPS.items()
        }
        self.client = self.user_pool.add_client(
            "StaffConsole",
            auth_flows=cognito.AuthFlow(user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.hours(8),
        )
