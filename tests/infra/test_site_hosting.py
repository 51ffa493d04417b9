"""The deployed sample site and staff console: a private bucket in Seoul read only by its CloudFront
distribution (origin access control), the site's headers from the one declaration local mode serves too (a
strict CSP whose connect-src names the API and, for the console, Cognito's managed login domain; no-store
for the console), and a config.js generated from the stack's own values that signs the console in with the
very client, domain and callback the user pool has."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stacks.deployment import DeploymentSettingsError
from stacks.site_headers import CONSOLE_CACHE_CONTROL, CONSOLE_PREFIX, content_security_policy
from stacks.site_hosting import CONFIG_KEY, SITE_BUCKET_EXPORT
from stacks.site_pages import PAGES, render
from tests.infra.conftest import SKIP_BUNDLING, Synth, resources, statements, synthesize

API = "PolicyboundApi"
FILES = "PolicyboundSite"
WEB = Path(__file__).resolve().parents[2] / "web"


def rendered(value: Any) -> str:
    """A template value as text: Fn::Join joined, references written as {Ref} and {Resource.Attribute}."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(rendered(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return "{" + str(value["Ref"]) + "}"
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        return "{" + ".".join(value["Fn::GetAtt"]) + "}"
    raise AssertionError(f"unexpected template value {value!r}")


def only(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = resources(template, resource_type).items()
    return found[0], found[1]["Properties"]


@pytest.fixture(scope="module")
def api(synth: Synth) -> dict[str, Any]:
    return synth.template(API)


@pytest.fixture(scope="module")
def distribution(api: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name, properties = only(api, "AWS::CloudFront::Distribution")
    return name, properties["DistributionConfig"]


def site_bucket(api: dict[str, Any]) -> str:
    (name,) = [n for n, r in resources(api, "AWS::S3::Bucket").items() if "/Site/Files/" in json.dumps(r)]
    return name


def test_the_files_are_in_a_private_bucket_in_seoul_that_only_the_distribution_reads(
    synth: Synth, api: dict[str, Any], distribution: tuple[str, dict[str, Any]]
) -> None:
    assert synth.manifest["artifacts"][API]["environment"].endswith("/ap-northeast-2")
    bucket = site_bucket(api)
    properties = api["Resources"][bucket]["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert "WebsiteConfiguration" not in properties  # no public website endpoint
    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for p in resources(api, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    allowed = [s for s in statements(policy) if s["Effect"] == "Allow"]
    denied = [s for s in statements(policy) if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denied)
    (read,) = allowed
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    name, config = distribution
    assert rendered(read["Condition"]["StringEquals"]["AWS:SourceArn"]).endswith(f":distribution/{{{name}}}")
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"]
    _, control = only(api, "AWS::CloudFront::OriginAccessControl")
    assert control["OriginAccessControlConfig"]["SigningBehavior"] == "always"


def test_only_static_files_pass_the_edge_never_the_api(distribution: tuple[str, dict[str, Any]]) -> None:
    _, config = distribution
    # One origin, the bucket: the API stays regional (its WAF, throttling and the consent proof's source address).
    assert len(config["Origins"]) == 1
    assert "CustomOriginConfig" not in config["Origins"][0]
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    for behavior in behaviors:
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert [b["PathPattern"] for b in config["CacheBehaviors"]] == [f"{CONSOLE_PREFIX}*"]
    assert "Logging" not in config  # no log of visitors' addresses
    assert config["DefaultRootObject"] == "index.html"


def headers_of(api: dict[str, Any], behavior: dict[str, Any]) -> dict[str, Any]:
    policy: dict[str, Any] = api["Resources"][behavior["ResponseHeadersPolicyId"]["Ref"]]["Properties"]
    return dict(policy["ResponseHeadersPolicyConfig"])


def test_every_answer_has_the_strict_csp_naming_the_api_and_for_the_console_the_sign_in_domain(
    api: dict[str, Any], distribution: tuple[str, dict[str, Any]]
) -> None:
    _, config = distribution
    (rest_api,) = resources(api, "AWS::ApiGateway::RestApi")
    api_origin = f"https://{{{rest_api}}}.execute-api.ap-northeast-2.{{AWS::URLSuffix}}"
    sign_in = "https://policybound-staff-{AWS::AccountId}.auth.ap-northeast-2.amazoncognito.com"
    site = headers_of(api, config["DefaultCacheBehavior"])
    (console_behavior,) = config["CacheBehaviors"]
    console = headers_of(api, console_behavior)
    assert rendered(site["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == (
        content_security_policy([api_origin])
    )
    assert rendered(console["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]) == (
        content_security_policy([api_origin, sign_in])
    )
    for policy in (site, console):
        security = policy["SecurityHeadersConfig"]
        assert security["ContentSecurityPolicy"]["Override"] is True
        assert security["FrameOptions"]["FrameOption"] == "DENY"
        assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
        assert security["ContentTypeOptions"]["Override"] is True
        assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    custom = {h["Header"]: h["Value"] for h in console["CustomHeadersConfig"]["Items"]}
    assert custom["Cache-Control"] == CONSOLE_CACHE_CONTROL
    assert "Cache-Control" not in {h["Header"] for h in site["CustomHeadersConfig"]["Items"]}


def imported(files: dict[str, Any], api: dict[str, Any], value: Any) -> Any:
    """A value the files stack imports from the API stack, as the API stack's template writes it."""
    if isinstance(value, dict) and "Fn::ImportValue" in value:
        name = value["Fn::ImportValue"]
        (output,) = [o for o in api["Outputs"].values() if o.get("Export", {}).get("Name") == name]
        return output["Value"]
    return value


def json_values(value: Any) -> list[Any]:
    """Every dict and list nested in a template value."""
    found = [value]
    if isinstance(value, dict):
        for item in value.values():
            found += json_values(item)
    elif isinstance(value, list):
        for item in value:
            found += json_values(item)
    return found


def publishing(synth: Synth) -> dict[str, Any]:
    ((_, publish),) = resources(synth.template(FILES), "Custom::CDKBucketDeployment").items()
    return dict(publish["Properties"])


def config_object(synth: Synth, api: dict[str, Any]) -> dict[str, Any]:
    """The generated config.js's object, with each deploy-time marker replaced by what it stands for."""
    files = synth.template(FILES)
    publish = {"Properties": publishing(synth)}
    keys, markers = publish["Properties"]["SourceObjectKeys"], publish["Properties"]["SourceMarkers"]
    for key, found in zip(keys, markers, strict=True):
        staged = synth.outdir / f"asset.{key.removesuffix('.zip')}" / CONFIG_KEY
        if staged.is_file():
            text = staged.read_text()
            for marker, value in found.items():
                text = text.replace(marker, rendered(imported(files, api, value)))
            match = re.search(r"Object\.assign\((\{.*\}), window\.POLICYBOUND_CONFIG", text)
            assert match, text
            config: dict[str, Any] = json.loads(match.group(1))
            return config
    raise AssertionError("no staged config.js among the site deployment's sources")


def test_config_js_signs_the_console_in_with_the_pools_own_client_domain_and_callback(
    synth: Synth, api: dict[str, Any], distribution: tuple[str, dict[str, Any]]
) -> None:
    config = config_object(synth, api)
    client_id, client = only(api, "AWS::Cognito::UserPoolClient")
    name, _ = distribution
    console_url = f"https://{{{name}.DomainName}}{CONSOLE_PREFIX}"
    assert config["staffSignIn"] == {
        "mode": "cognito",
        "domain": "policybound-staff-{AWS::AccountId}.auth.ap-northeast-2.amazoncognito.com",
        "clientId": f"{{{client_id}}}",
        "redirectUri": console_url,
    }
    # The callback the console sends is the only one the client takes, and the same the stack outputs.
    assert [rendered(url) for url in client["CallbackURLs"]] == [console_url]
    assert [rendered(url) for url in client["LogoutURLs"]] == [console_url]
    assert rendered(api["Outputs"]["StaffConsoleUrl"]["Value"]) == console_url
    # The sign-in domain the console uses is the pool's domain (the output), and the CSP allows it.
    assert (
        rendered(api["Outputs"]["StaffSignInDomain"]["Value"]).replace(
            "{" + only(api, "AWS::Cognito::UserPoolDomain")[0] + "}", "policybound-staff-{AWS::AccountId}"
        )
        == "https://" + config["staffSignIn"]["domain"]
    )
    (rest_api,) = resources(api, "AWS::ApiGateway::RestApi")
    assert config["apiBase"] == f"https://{{{rest_api}}}.execute-api.ap-northeast-2.{{AWS::URLSuffix}}/prod"


def test_the_site_origin_may_call_the_api(api: dict[str, Any], distribution: tuple[str, dict[str, Any]]) -> None:
    name, _ = distribution
    origins = {
        rendered(r["Properties"]["Environment"]["Variables"]["ALLOWED_ORIGINS"])
        for r in resources(api, "AWS::Lambda::Function").values()
        if "ALLOWED_ORIGINS" in r["Properties"].get("Environment", {}).get("Variables", {})
    }
    assert origins
    assert all(f"https://{{{name}.DomainName}}" in value.split(",") for value in origins)


def test_the_published_files_are_the_site_without_its_local_config(synth: Synth, api: dict[str, Any]) -> None:
    publish = publishing(synth)
    files = synth.template(FILES)
    assert publish["Prune"] is True
    assert publish["DistributionPaths"] == ["/*"]  # the edge's copies are replaced on deploy
    # Into the site bucket: the API stack's export of its ARN, which the files stack imports.
    assert {"Fn::ImportValue": SITE_BUCKET_EXPORT} in json_values(publish["DestinationBucketName"])
    assert imported(files, api, {"Fn::ImportValue": SITE_BUCKET_EXPORT}) == {"Fn::GetAtt": [site_bucket(api), "Arn"]}
    assert synth.manifest["artifacts"][FILES]["environment"].endswith("/ap-northeast-2")
    staged = [synth.outdir / f"asset.{key.removesuffix('.zip')}" for key in publish["SourceObjectKeys"]]
    (site,) = [d for d in staged if (d / "favicon.svg").is_file()]
    expected = {p.relative_to(WEB) for p in WEB.rglob("*") if p.is_file()} - {Path(CONFIG_KEY)}
    assert {p.relative_to(site) for p in site.rglob("*") if p.is_file()} == expected


def test_every_page_is_published_as_rendered(synth: Synth) -> None:
    """The pages have no file under web/: each is its own source, the rendering local mode serves."""
    staged = [synth.outdir / f"asset.{key.removesuffix('.zip')}" for key in publishing(synth)["SourceObjectKeys"]]
    published = {
        p.relative_to(d).as_posix(): p.read_text(encoding="utf-8")
        for d in staged
        for p in d.rglob("*.html")
        if p.is_file()
    }
    assert published == {page.path: render(page.path) for page in PAGES}
    assert {"index.html", "staff/index.html"} <= set(published)


def test_a_domain_of_the_companys_own_gets_its_certificate_and_tls_1_2(tmp_path: Path) -> None:
    domain, certificate = "www.lgcns.com", "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    synthesized = synthesize(
        tmp_path, SKIP_BUNDLING | {"site_domain_name": domain, "site_certificate_arn": certificate}
    )
    api = synthesized.template(API)
    _, properties = only(api, "AWS::CloudFront::Distribution")
    config = properties["DistributionConfig"]
    assert config["Aliases"] == [domain]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == certificate
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    _, client = only(api, "AWS::Cognito::UserPoolClient")
    assert client["CallbackURLs"] == [f"https://{domain}{CONSOLE_PREFIX}"]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"site_domain_name": "www.lgcns.com"}, "go together"),
        ({"site_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}, "go together"),
        (
            {"site_domain_name": "www.lgcns.com", "site_certificate_arn": "arn:aws:acm:ap-northeast-2:1:certificate/a"},
            "us-east-1",
        ),
        (
            {
                "site_domain_name": "https://www.lgcns.com/",
                "site_certificate_arn": "arn:aws:acm:us-east-1:1:certificate/a",
            },
            "host name",
        ),
    ],
)
def test_site_domain_settings_are_checked(settings: dict[str, str], problem: str) -> None:
    from aws_cdk import App

    from stacks.deployment import cdk_json_context, deployment_from

    with pytest.raises(DeploymentSettingsError, match=problem):
        deployment_from(App(context=cdk_json_context() | settings).node)
