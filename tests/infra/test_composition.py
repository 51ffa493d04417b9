"""Stacks, region and deployment settings: everything in Seoul, nothing deployable with placeholders."""

from __future__ import annotations

import pytest
from aws_cdk import App

from policybound.policy import AWS_REGION
from stacks.app import build
from stacks.deployment import DeploymentSettingsError, cdk_json_context, deployment_from
from stacks.seoul import RegionNotAllowedError
from tests.infra.conftest import Synth, resources


def test_every_stack_is_pinned_to_seoul(synth: Synth) -> None:
    stacks = {name: a for name, a in synth.manifest["artifacts"].items() if a["type"] == "aws:cloudformation:stack"}
    assert set(stacks) == {
        "PolicyboundData",
        "PolicyboundAudit",
        "PolicyboundApi",
        "PolicyboundAlarms",
        "PolicyboundSite",
    }
    for name, artifact in stacks.items():
        assert artifact["environment"].endswith(f"/{AWS_REGION}"), name
    assert AWS_REGION == "ap-northeast-2"


@pytest.mark.parametrize("region", ["us-east-1", "ap-northeast-1", "ap-northeast-3"])
def test_synth_refuses_any_other_region_with_a_clear_message(region: str) -> None:
    app = App(context=cdk_json_context() | {"region": region})
    with pytest.raises(RegionNotAllowedError, match=r"only to ap-northeast-2 .*§5"):
        build(app)


def test_deploy_refuses_placeholder_settings() -> None:
    app = App(context=cdk_json_context() | {"require_deployable_settings": "true"})
    with pytest.raises(DeploymentSettingsError, match=r"mail_sender.*alarm_email.*allowed_origins"):
        build(app)


def test_real_settings_pass_the_deploy_check() -> None:
    app = App(
        context=cdk_json_context()
        | {
            "require_deployable_settings": "true",
            "allowed_origins": "https://www.lgcns.com",
            "public_base_url": "https://api.lgcns.com",
            "mail_sender": "no-reply@lgcns.com",
            "alarm_email": "infosec01@lgcns.com",
        }
    )
    assert build(app).deployment.allowed_origins == ("https://www.lgcns.com",)


@pytest.mark.parametrize("origin", ["*", "http://www.example.com", "https://www.example.com/path"])
def test_cors_origins_must_be_exact_https_origins(origin: str) -> None:
    with pytest.raises(DeploymentSettingsError, match="allowed_origins"):
        build(App(context=cdk_json_context() | {"allowed_origins": origin}))


def test_nothing_global_holds_pi(synth: Synth) -> None:
    for name, template in synth.templates.items():
        assert not resources(template, "AWS::DynamoDB::GlobalTable"), name
        # The one distribution serves the static site from its bucket; no API call passes an edge location
        # (tests/infra/test_site_hosting.py holds it to that).
        for distribution in resources(template, "AWS::CloudFront::Distribution").values():
            (origin,) = distribution["Properties"]["DistributionConfig"]["Origins"]
            assert "S3OriginConfig" in origin, name
        for bucket in resources(template, "AWS::S3::Bucket").values():
            assert "ReplicationConfiguration" not in bucket["Properties"], name
        for table in resources(template, "AWS::DynamoDB::Table").values():
            assert "Replicas" not in table["Properties"], name


@pytest.mark.parametrize(
    "overrides",
    [
        {"public_rate_limit": 50},  # not below the staff routes' 50
        {"rights_rate_limit": 40},  # above the public routes' 30
        {"public_burst_limit": 100},
        {"waf_rights_requests_per_ip_per_5_minutes": 301},
    ],
)
def test_settings_that_let_anonymous_routes_crowd_out_staff_are_refused(overrides: dict[str, int]) -> None:
    with pytest.raises(DeploymentSettingsError):
        deployment_from(App(context=cdk_json_context() | overrides).node)
