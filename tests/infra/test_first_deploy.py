"""A new account's first deploy succeeds, and so does a retry after it rolled back: nothing reserves
concurrency a new account does not have, nothing kept on deletion has a fixed name, the trail waits for
its role, the TTL backstop can read its encrypted stream, the sender's SES identity and the staff
sign-in come with the stacks, and no URL has to be known before the API exists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policybound.settings import environment_name
from stacks.data_stack import TABLE_ENCRYPTION_KEY
from tests.infra.conftest import SKIP_BUNDLING, Synth, cdk_path, one, resources, statements, synthesize

# The property that fixes a resource's physical name, per type.
NAME_PROPERTIES = {
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Cognito::UserPool": "UserPoolName",
    "AWS::IAM::Role": "RoleName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::CloudTrail::Trail": "TrailName",
}


def test_no_reserved_concurrency_unless_the_account_opts_in(synth: Synth, tmp_path: Path) -> None:
    functions = resources(synth.template("PolicyboundApi"), "AWS::Lambda::Function").values()
    assert all("ReservedConcurrentExecutions" not in f["Properties"] for f in functions)
    opted = synthesize(tmp_path, SKIP_BUNDLING | {"sweeper_reserved_concurrency": 1})
    reserved = {
        cdk_path(f).split("/")[1]: f["Properties"].get("ReservedConcurrentExecutions")
        for f in resources(opted.template("PolicyboundApi"), "AWS::Lambda::Function").values()
    }
    assert reserved["Sweeper"] == 1
    assert {name for name, value in reserved.items() if value is not None} == {"Sweeper"}


def test_nothing_retained_on_a_failed_create_has_a_fixed_name(synth: Synth) -> None:
    for stack, template in synth.templates.items():
        for logical_id, resource in template["Resources"].items():
            name = NAME_PROPERTIES.get(resource["Type"])
            if resource.get("DeletionPolicy") == "Retain" and name:
                assert name not in resource["Properties"], (
                    f"{stack}/{logical_id} keeps a fixed name after a rolled-back create: a retry collides with it"
                )


def test_named_log_groups_are_kept_only_once_created(synth: Synth) -> None:
    waf = one(synth.template("PolicyboundApi"), "AWS::Logs::LogGroup", "Firewall")
    assert waf["Properties"]["LogGroupName"]
    assert waf["DeletionPolicy"] == "RetainExceptOnCreate"


def test_the_trail_waits_for_its_role_and_policy(synth: Synth) -> None:
    audit = synth.template("PolicyboundAudit")
    (trail,) = resources(audit, "AWS::CloudTrail::Trail").values()
    (policy_id,) = [i for i, r in resources(audit, "AWS::IAM::Policy").items() if "TrailToLogsRole" in cdk_path(r)]
    (role_id,) = [i for i, r in resources(audit, "AWS::IAM::Role").items() if "TrailToLogsRole" in cdk_path(r)]
    assert {policy_id, role_id} <= set(trail["DependsOn"])


def test_the_ttl_backstop_may_decrypt_its_stream(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    policy = one(api, "AWS::IAM::Policy", "TtlBackstop")
    decrypts = [
        s
        for s in statements(policy["Properties"]["PolicyDocument"])
        if s["Action"] == "kms:Decrypt" and not s.get("Condition")
    ]
    (grant,) = decrypts
    key_logical_id = synth.built.data.get_logical_id(
        synth.built.data.key(TABLE_ENCRYPTION_KEY).node.default_child  # type: ignore[arg-type]
    )
    assert key_logical_id in json.dumps(grant["Resource"])


def test_the_sender_domain_is_an_ses_identity_with_dkim_records_out(synth: Synth) -> None:
    api = synth.template("PolicyboundApi")
    (identity,) = resources(api, "AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == synth.built.deployment.mail_domain
    assert identity["Properties"]["DkimAttributes"] == {"SigningEnabled": True}
    outputs = api["Outputs"]
    for number in (1, 2, 3):
        assert "DkimDNSTokenName" in json.dumps(outputs[f"MailDkim{number}Name"])
        assert "DkimDNSTokenValue" in json.dumps(outputs[f"MailDkim{number}Value"])


def test_mail_links_point_at_the_api_itself_without_a_configured_url(synth: Synth) -> None:
    assert synth.built.deployment.public_base_url is None
    api = synth.template("PolicyboundApi")
    (rest_api_id,) = resources(api, "AWS::ApiGateway::RestApi")
    for function in resources(api, "AWS::Lambda::Function").values():
        url = function["Properties"]["Environment"]["Variables"][environment_name("public_base_url")]
        text = json.dumps(url)
        assert {"Ref": rest_api_id} in url["Fn::Join"][1]
        assert text.endswith('/prod"]]}') or "/prod" in text


@pytest.fixture(scope="module")
def staff_pool(synth: Synth) -> dict[str, Any]:
    api = synth.template("PolicyboundApi")
    (client,) = resources(api, "AWS::Cognito::UserPoolClient").values()
    (domain,) = resources(api, "AWS::Cognito::UserPoolDomain").values()
    (pool,) = resources(api, "AWS::Cognito::UserPool").values()
    return {"client": client["Properties"], "domain": domain["Properties"], "pool": pool["Properties"], "api": api}


def test_the_console_client_uses_the_code_flow_to_the_console_url_only(
    synth: Synth, staff_pool: dict[str, Any]
) -> None:
    client = staff_pool["client"]
    # The console the site distribution serves (no URL needed before the first deploy).
    assert synth.built.deployment.staff_console_url is None
    (distribution,) = resources(staff_pool["api"], "AWS::CloudFront::Distribution")
    console = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution, "DomainName"]}, "/staff/"]]}
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["CallbackURLs"] == [console]
    assert client["LogoutURLs"] == [console]
    assert "https://example.com" not in json.dumps(client)
    assert client["GenerateSecret"] is False  # a browser app: PKCE instead of a secret
    assert client["ExplicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}


def test_staff_sign_in_has_a_managed_login_domain_totp_and_outputs(staff_pool: dict[str, Any]) -> None:
    assert staff_pool["pool"]["MfaConfiguration"] == "ON"
    assert staff_pool["pool"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert staff_pool["domain"]["ManagedLoginVersion"] == 2
    assert "policybound-staff-" in json.dumps(staff_pool["domain"]["Domain"])
    outputs = staff_pool["api"]["Outputs"]
    assert {"StaffUserPoolId", "StaffConsoleClientId", "StaffSignInDomain"} <= outputs.keys()
    assert "amazoncognito.com" in json.dumps(outputs["StaffSignInDomain"])
    assert resources(staff_pool["api"], "AWS::Cognito::ManagedLoginBranding")
