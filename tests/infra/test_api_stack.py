"""API stack: REGIONAL REST API behind WAF, JSON access logs without PI, throttling, CORS, staff sign-in."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from policybound import settings
from stacks.access_log import FIELDS, access_log_format
from stacks.dependency_layer import PIP_ARGUMENTS
from stacks.functions import FUNCTIONS, RIGHTS_PATH, STAFF_PATH
from stacks.lambda_functions import OPTIONAL_ENV_VARS
from stacks.staff_identity import STAFF_GROUPS
from stacks.waf import MANAGED_RULE_GROUPS, RATE_RULE_NAME
from tests.infra.conftest import Synth, cdk_path, resources


@pytest.fixture(scope="module")
def api(synth: Synth) -> dict[str, Any]:
    return synth.template("PolicyboundApi")


def test_rest_api_is_regional(api: dict[str, Any]) -> None:
    (rest_api,) = resources(api, "AWS::ApiGateway::RestApi").values()
    assert rest_api["Properties"]["EndpointConfiguration"]["Types"] == ["REGIONAL"]


def test_waf_is_associated_with_the_stage_and_has_managed_rules_and_a_rate_rule(api: dict[str, Any]) -> None:
    (acl_id, acl), *_ = resources(api, "AWS::WAFv2::WebACL").items()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    rules = {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}
    assert rules[RATE_RULE_NAME]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rules[RATE_RULE_NAME]["Action"] == {"Block": {}}
    for group in MANAGED_RULE_GROUPS:
        assert rules[group]["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
    (association,) = resources(api, "AWS::WAFv2::WebACLAssociation").values()
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (stage_id,) = resources(api, "AWS::ApiGateway::Stage")
    assert stage_id in json.dumps(association["Properties"]["ResourceArn"])


def test_stage_logs_json_without_pi_traces_and_throttles(api: dict[str, Any]) -> None:
    (stage,) = resources(api, "AWS::ApiGateway::Stage").values()
    properties = stage["Properties"]
    line = properties["AccessLogSetting"]["Format"]
    assert set(json.loads(line)) == set(FIELDS)
    for leak in ("sourceIp", "userAgent", "requestOverride", "$input", "body", 'path"', "querystring"):
        assert leak not in line
    assert line == access_log_format()
    # The stage default ("/*/*"); routes with limits of their own are checked below.
    (method_settings,) = [m for m in properties["MethodSettings"] if m["ResourcePath"] == "/*"]
    assert method_settings["DataTraceEnabled"] is False
    assert method_settings["LoggingLevel"] == "ERROR"
    assert method_settings["ThrottlingRateLimit"] > 0
    assert method_settings["ThrottlingBurstLimit"] > 0
    assert properties["TracingEnabled"] is True


def test_cors_allows_only_the_configured_origins(synth: Synth, api: dict[str, Any]) -> None:
    origins = synth.built.deployment.allowed_origins
    assert origins
    options = [
        m for m in resources(api, "AWS::ApiGateway::Method").values() if m["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert options
    for method in options:
        headers = method["Properties"]["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{origins[0]}'"


def test_staff_routes_require_a_cognito_token(api: dict[str, Any]) -> None:
    (authorizer_id, authorizer), *_ = resources(api, "AWS::ApiGateway::Authorizer").items()
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    staff_methods = [
        m
        for m in resources(api, "AWS::ApiGateway::Method").values()
        if "/staff/" in cdk_path(m) and m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    assert staff_methods
    for method in staff_methods:
        assert method["Properties"]["AuthorizationType"] == "COGNITO_USER_POOLS"
        assert method["Properties"]["AuthorizerId"] == {"Ref": authorizer_id}
        assert method["Properties"]["RequestParameters"] == {"method.request.header.Authorization": True}
        assert method["Properties"]["RequestValidatorId"]
    assert STAFF_PATH == "/v1/staff/{proxy+}"
    # Nothing cached: a revoked member's token is judged afresh on the very next call.
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 0


def test_the_staff_function_admits_only_the_consoles_app_client(api: dict[str, Any]) -> None:
    (client_id, _), *_ = resources(api, "AWS::Cognito::UserPoolClient").items()
    (staff,) = [f for f in resources(api, "AWS::Lambda::Function").values() if "/StaffApi/" in cdk_path(f)]
    variables = staff["Properties"]["Environment"]["Variables"]
    assert variables[settings.environment_name("staff_app_client_ids")] == {"Ref": client_id}


def test_a_request_validator_is_attached_only_where_it_validates_something(api: dict[str, Any]) -> None:
    validators = resources(api, "AWS::ApiGateway::RequestValidator")
    for method in resources(api, "AWS::ApiGateway::Method").values():
        properties = method["Properties"]
        if "RequestValidatorId" not in properties:
            continue
        (validator,) = [v for name, v in validators.items() if properties["RequestValidatorId"] == {"Ref": name}]
        # No method has a request model, so only parameter validation can do anything.
        assert "RequestModels" not in properties
        assert validator["Properties"].get("ValidateRequestBody", False) is False, cdk_path(method)
        assert validator["Properties"]["ValidateRequestParameters"] is True
        assert properties["RequestParameters"], cdk_path(method)


def test_staff_pool_requires_mfa_and_strong_passwords_and_has_the_roles(api: dict[str, Any]) -> None:
    (pool,) = resources(api, "AWS::Cognito::UserPool").values()
    properties = pool["Properties"]
    assert properties["MfaConfiguration"] == "ON"
    assert properties["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert properties["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    password = properties["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 14
    assert all(password[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert properties["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"
    assert properties["DeletionProtection"] == "ACTIVE"
    groups = {g["Properties"]["GroupName"] for g in resources(api, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == set(STAFF_GROUPS) == {"pi_manager", "staff", "auditor"}


def test_functions_run_the_tested_python_with_only_our_own_layer(synth: Synth, api: dict[str, Any]) -> None:
    functions = resources(api, "AWS::Lambda::Function")
    assert {cdk_path(f).split("/")[1] for f in functions.values()} == {s.name for s in FUNCTIONS}
    (layer_id,) = resources(api, "AWS::Lambda::LayerVersion")
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for function in functions.values():
        properties = function["Properties"]
        # The tests' interpreter is the runtime's minor version (DESIGN.md §9).
        assert properties["Runtime"] == running == "python3.13"
        assert properties["Architectures"] == ["x86_64"]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"
        assert "LogGroup" in properties["LoggingConfig"]
        # No public layer by ARN: what a published layer version carries cannot be checked before deploy.
        assert properties["Layers"] == [{"Ref": layer_id}]
    assert "3.13" in PIP_ARGUMENTS
    assert "manylinux2014_x86_64" in PIP_ARGUMENTS


def test_functions_get_every_setting_the_code_reads(api: dict[str, Any]) -> None:
    (distribution,) = resources(api, "AWS::CloudFront::Distribution")
    # The configured origins, then the site's own (the distribution serving the sample site and console).
    origins = {
        "Fn::Join": ["", ["https://www.policybound.example,https://", {"Fn::GetAtt": [distribution, "DomainName"]}]]
    }
    for function in resources(api, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        required = set(settings.environment_names().values()) - OPTIONAL_ENV_VARS
        assert required <= variables.keys(), cdk_path(function)
        # Only the pool's own trigger goes without the pool id (a cycle otherwise; its events carry it).
        has_pool = settings.environment_name("staff_user_pool_id") in variables
        assert has_pool == ("/StaffSignIn/" not in cdk_path(function)), cdk_path(function)
        assert variables["POWERTOOLS_SERVICE_NAME"].startswith("policybound-")
        assert variables["POWERTOOLS_LOGGER_LOG_EVENT"] == "false"
        assert variables[settings.environment_name("allowed_origins")] == origins


def test_public_api_function_serves_v1(api: dict[str, Any]) -> None:
    (public,) = [m for m in resources(api, "AWS::ApiGateway::Method").values() if "/v1/{proxy+}/ANY/" in cdk_path(m)]
    assert public["Properties"]["AuthorizationType"] == "NONE"
    assert "PublicApi" in json.dumps(public["Properties"]["Integration"]["Uri"])
    assert public["Properties"]["Integration"]["Type"] == "AWS_PROXY"


def test_anonymous_routes_are_throttled_below_the_staff_routes(synth: Synth, api: dict[str, Any]) -> None:
    deployment = synth.built.deployment
    (stage,) = resources(api, "AWS::ApiGateway::Stage").values()
    settings_by_path = {m["ResourcePath"]: m for m in stage["Properties"]["MethodSettings"]}
    staff = settings_by_path["/*"]
    public = settings_by_path["/~1v1~1{proxy+}"]
    rights = settings_by_path["/~1v1~1rights~1{proxy+}"]
    assert staff["ThrottlingRateLimit"] == deployment.api_rate_limit
    assert public["ThrottlingRateLimit"] == deployment.public_rate_limit
    assert rights["ThrottlingRateLimit"] == deployment.rights_rate_limit
    for kind in ("ThrottlingRateLimit", "ThrottlingBurstLimit"):
        assert rights[kind] <= public[kind] < staff[kind]
    # The rights routes are a resource of their own, served by the public function.
    (method,) = [
        m for m in resources(api, "AWS::ApiGateway::Method").values() if "/rights/{proxy+}/ANY/" in cdk_path(m)
    ]
    assert method["Properties"]["AuthorizationType"] == "NONE"
    assert "PublicApi" in json.dumps(method["Properties"]["Integration"]["Uri"])
    assert RIGHTS_PATH == "/v1/rights/{proxy+}"


def test_the_firewall_limits_rights_requests_per_address_before_anything_else(
    synth: Synth, api: dict[str, Any]
) -> None:
    (acl,) = resources(api, "AWS::WAFv2::WebACL").values()
    first = min(acl["Properties"]["Rules"], key=lambda rule: rule["Priority"])
    assert first["Action"] == {"Block": {}}
    statement = first["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == synth.built.deployment.waf_rights_requests_per_ip_per_5_minutes
    assert statement["Limit"] < synth.built.deployment.waf_requests_per_ip_per_5_minutes
    match = statement["ScopeDownStatement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"UriPath": {}}
    assert match["SearchString"] == "/v1/rights/"
    priorities = [rule["Priority"] for rule in acl["Properties"]["Rules"]]
    assert len(priorities) == len(set(priorities))


def test_the_gateways_own_refusals_are_never_cached(api: dict[str, Any]) -> None:
    # 401 and 403 (and API Gateway's other own answers) never reach a function, so its no-store header
    # must come from the gateway response itself.
    answers = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources(api, "AWS::ApiGateway::GatewayResponse").values()
    }
    assert {"UNAUTHORIZED", "ACCESS_DENIED"} <= set(answers)
    for kind, answer in answers.items():
        assert answer["ResponseParameters"]["gatewayresponse.header.Cache-Control"] == "'no-store'", kind
