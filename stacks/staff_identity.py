"""Staff sign-in: a Cognito user pool whose groups are the roles the staff API checks.

§8.2 of the policy: PI is handled only by those in charge, with their own regularly renewed password,
and grants, changes and cancellations of access are managed — here every one of them is a Cognito API
call, recorded by the audit trail (management events) for at least three years.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from policybound.adapters.cognito import PASSWORD_CHANGED_ATTRIBUTE
from policybound.domain.staff.actor import Role
from policybound.obligations import STAFF_SESSION_LIMIT, whole_minutes
from stacks.deployment import Deployment
from stacks.pi_tags import tag_value

# The staff API checks the `cognito:groups` claim against `Role`; one group per role, described here.
GROUP_DESCRIPTIONS: dict[Role, str] = {
    Role.PI_MANAGER: "Personal Information Manager: legal holds, disclosures, rights requests, all staff routes",
    Role.STAFF: "Staff in charge of inquiries and letters: read what their purpose allows",
    Role.AUDITOR: "Auditors: read the ledger and verify its chain; no personal information",
}
# The group names, in `Role`'s order (read from the policybound package, never written twice).
STAFF_GROUPS: dict[str, str] = {role.value: GROUP_DESCRIPTIONS[role] for role in Role}

# `custom:password_changed_at`: stamped by the sign-in trigger after a password reset, read before
# each sign-in to refuse an expired password (§8.2 "regularly renewed").
PASSWORD_CHANGED = PASSWORD_CHANGED_ATTRIBUTE.removeprefix("custom:")
# Cognito waits for these triggers around every staff sign-in (stacks/functions.py StaffSignInTriggers).
SIGN_IN_TRIGGERS = (
    cognito.UserPoolOperation.PRE_AUTHENTICATION,
    cognito.UserPoolOperation.POST_AUTHENTICATION,
    cognito.UserPoolOperation.POST_CONFIRMATION,
)


# What the console asks for in its id token: who (sub, email, name) — groups come with every id token.
CONSOLE_SCOPES = (cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE)


class StaffIdentity(Construct):
    def __init__(self, scope: Construct, construct_id: str, deployment: Deployment, console_url: str) -> None:
        """`console_url`: the staff console's address, the app client's only callback and sign-out URL."""
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
            # Mutable, so the trigger may stamp it (AdminUpdateUserAttributes); the app client cannot write it.
            custom_attributes={PASSWORD_CHANGED: cognito.StringAttribute(mutable=True)},
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
        # The staff console signs in through the managed login pages with the authorization code flow and
        # PKCE (a public client: no secret in a browser). No implicit flow, no password flows in the app: the
        # password and the authenticator code are only ever typed into Cognito's own pages.
        self.client = self.user_pool.add_client(
            "StaffConsole",
            auth_flows=cognito.AuthFlow(),
            generate_secret=False,
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True, implicit_code_grant=False),
                scopes=list(CONSOLE_SCOPES),
                callback_urls=[console_url],
                logout_urls=[console_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            # A refresh token lives as long as a staff session may: it never renews one past its limit,
            # and never ends one before it.
            refresh_token_validity=Duration.minutes(whole_minutes(STAFF_SESSION_LIMIT)),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(email=True, email_verified=True, fullname=True)
            .with_custom_attributes(PASSWORD_CHANGED),
            # The password stamp is the trigger's to write, never the signed-in user's.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(fullname=True),
        )
        # Left out, ExplicitAuthFlows would default to SRP and custom auth too; refreshing is all the console does.
        client_resource = self.client.node.default_child
        assert isinstance(client_resource, cognito.CfnUserPoolClient)
        client_resource.explicit_auth_flows = ["ALLOW_REFRESH_TOKEN_AUTH"]
        # Cognito's managed login pages on a Cognito domain: nothing to own or certify before the first
        # deploy. The prefix is global per region, so it carries the account id.
        prefix = deployment.staff_sign_in_domain_prefix or f"policybound-staff-{Stack.of(self).account}"
        # The managed login host the console sends staff to (its config.js `domain`, the CSP's connect-src),
        # spelled from the prefix rather than read from the domain resource: the site's CSP must not depend on
        # the pool, whose trigger function depends on the site (its allowed origins).
        self.sign_in_host = f"{prefix}.auth.{Stack.of(self).region}.amazoncognito.com"
        self.domain = self.user_pool.add_domain(
            "SignIn",
            cognito_domain=cognito.CognitoDomainOptions(domain_prefix=prefix),
            managed_login_version=cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
        )
        # Managed login shows a page only for a client with a style; Cognito's own look is enough.
        cognito.CfnManagedLoginBranding(
            self,
            "SignInPages",
            user_pool_id=self.user_pool.user_pool_id,
            client_id=self.client.user_pool_client_id,
            use_cognito_provided_values=True,
        )
        stack = Stack.of(self)
        # What the console's configuration needs (window.POLICYBOUND_CONFIG.staffSignIn) and what
        # `python -m tools.staff` reads to create staff members.
        CfnOutput(stack, "StaffUserPoolId", value=self.user_pool.user_pool_id, description="Staff user pool")
        CfnOutput(
            stack, "StaffConsoleClientId", value=self.client.user_pool_client_id, description="Staff console app client"
        )
        CfnOutput(
            stack,
            "StaffSignInDomain",
            value=self.domain.base_url(),
            description="Managed login (hosted UI) base URL of the staff pool",
        )
        CfnOutput(stack, "StaffConsoleUrl", value=console_url, description="The staff console (sign-in callback URL)")

    def add_sign_in_triggers(self, function: lambda_.IFunction) -> None:
        """One function as the pool's PreAuthentication, PostAuthentication and PostConfirmation trigger."""
        for operation in SIGN_IN_TRIGGERS:
            self.user_pool.add_trigger(operation, function)
