"""Deployment settings: the values an engineer chooses per account, read from CDK context once.

`cdk.json` holds safe placeholders so `make synth` works on a fresh clone; `make deploy` passes
`-c require_deployable_settings=true`, which refuses any placeholder (see docs/deploy.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from constructs import Node

from stacks.paths import CDK_JSON
from stacks.seoul import SEOUL, require_seoul

# RFC 2606 reserves ".example": a value on it was never meant to reach a real account.
PLACEHOLDER_SUFFIX = ".example"


class DeploymentSettingsError(ValueError):
    """The CDK context does not describe a deployable Policybound."""


@dataclass(frozen=True)
class Deployment:
    region: str
    # Browser origins allowed to call the public API (CORS); empty means no cross-origin access.
    allowed_origins: tuple[str, ...]
    # Where links in emails point: the API's public base URL (a custom domain). None: the API's own stage
    # URL, known only once deployed — so a first deploy needs no URL in advance.
    public_base_url: str | None
    # SES identity the functions send from (verified in SES in the Seoul region).
    mail_sender: str
    # Who receives the PI manager's alarms (an SNS email subscription they must confirm).
    alarm_email: str
    # Stage throttling: steady requests per second and burst of each method that has no limit of its own
    # (the staff routes).
    api_rate_limit: int
    api_burst_limit: int
    # The anonymous routes' own limits, below the staff routes' so that no flood of anonymous requests
    # takes the capacity staff need: the public routes, and the rights routes (codes, sessions) lower still.
    public_rate_limit: int
    public_burst_limit: int
    rights_rate_limit: int
    rights_burst_limit: int
    # WAF rate-based rules: requests per client IP in any 5-minute window before it is blocked; the
    # rights routes (where a stranger would guess codes or flood a mailbox) have a tighter one.
    waf_requests_per_ip_per_5_minutes: int
    waf_rights_requests_per_ip_per_5_minutes: int
    # Alarm when the API functions open more records than this in 5 minutes: a busy day of inquiries and
    # rights requests stays far below it; a bulk export attempt does not.
    records_opened_per_5_minutes_alarm: int
    # The staff console's URL: the only sign-in callback and sign-out URL of the pool. None: the console the
    # site distribution serves (stacks/site_hosting.py), at https://<site domain>/staff/.
    staff_console_url: str | None
    # The sample site and console under the company's own name: a domain and its ACM certificate, which
    # CloudFront takes from us-east-1 only. None: the distribution's own *.cloudfront.net name.
    site_domain_name: str | None
    site_certificate_arn: str | None
    # Reserve this much concurrency for the sweeper (1 keeps it single). None on a new account: its limit
    # of 10 concurrent executions cannot reserve any (docs/deploy.md).
    sweeper_reserved_concurrency: int | None
    # The staff pool's Cognito domain prefix (global in the region); None: policybound-staff-<account id>.
    staff_sign_in_domain_prefix: str | None
    # Provision the SES domain identity of mail_sender (with Easy DKIM); off when the account has it already.
    provision_mail_identity: bool

    @property
    def mail_domain(self) -> str:
        return self.mail_sender.rsplit("@", 1)[-1]

    def placeholders(self) -> list[str]:
        hosts = {
            "public_base_url": urlsplit(self.public_base_url or "").hostname or "",
            "staff_console_url": urlsplit(self.staff_console_url or "").hostname or "",
            "site_domain_name": self.site_domain_name or "",
            "mail_sender": self.mail_domain,
            "alarm_email": self.alarm_email.rsplit("@", 1)[-1],
        } | {f"allowed_origins[{i}]": urlsplit(origin).hostname or "" for i, origin in enumerate(self.allowed_origins)}
        return [name for name, host in hosts.items() if host.endswith(PLACEHOLDER_SUFFIX)]


def cdk_json_context() -> dict[str, Any]:
    """The context in cdk.json: what the CDK CLI would pass, for runs without it (tests, `python app.py`)."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]
    return context


def _origins(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    origins = tuple(str(item).strip().rstrip("/") for item in items if str(item).strip())
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme != "https" or not parts.hostname or parts.path or origin == "*":
            raise DeploymentSettingsError(
                f"allowed_origins: {origin!r} is not an https origin such as https://www.example.com "
                "(no path, no wildcard)"
            )
    return origins


def _is_https_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.hostname)


def _email(name: str, value: Any) -> str:
    text = str(value or "").strip()
    local, _, domain = text.partition("@")
    if not local or "." not in domain or " " in text:
        raise DeploymentSettingsError(f"{name}: {text!r} is not an email address")
    return text


def _positive(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise DeploymentSettingsError(f"{name}: {value!r} is not a positive whole number")
    return number


def _check_throttles(deployment: Deployment) -> None:
    for kind in ("rate", "burst"):
        staff = getattr(deployment, f"api_{kind}_limit")
        public, rights = getattr(deployment, f"public_{kind}_limit"), getattr(deployment, f"rights_{kind}_limit")
        if not rights <= public < staff:
            raise DeploymentSettingsError(
                f"rights_{kind}_limit ({rights}) <= public_{kind}_limit ({public}) < api_{kind}_limit ({staff}) "
                "must hold: anonymous routes are throttled below the staff routes"
            )
    if deployment.waf_rights_requests_per_ip_per_5_minutes > deployment.waf_requests_per_ip_per_5_minutes:
        raise DeploymentSettingsError(
            "waf_rights_requests_per_ip_per_5_minutes must not exceed waf_requests_per_ip_per_5_minutes"
        )


def deployment_from(node: Node) -> Deployment:
    def context(key: str, default: Any = None) -> Any:
        value = node.try_get_context(key)
        return default if value is None else value

    public_base_url = str(context("public_base_url", "")).rstrip("/") or None
    if public_base_url is not None and not _is_https_url(public_base_url):
        raise DeploymentSettingsError(f"public_base_url: {public_base_url!r} is not an https URL")
    allowed_origins = _origins(context("allowed_origins"))
    console = str(context("staff_console_url", "")) or None
    if console is not None and not _is_https_url(console):
        raise DeploymentSettingsError(
            f"staff_console_url: {console!r} is not an https URL (the site's /staff/, e.g. https://www.example.com/staff/)"
        )
    site_domain = str(context("site_domain_name", "")).strip().lower().rstrip(".") or None
    site_certificate = str(context("site_certificate_arn", "")).strip() or None
    if (site_domain is None) != (site_certificate is None):
        raise DeploymentSettingsError(
            "site_domain_name and site_certificate_arn go together: CloudFront serves a domain of your own only "
            "with its certificate (an ACM certificate in us-east-1)"
        )
    if site_domain is not None and ("/" in site_domain or ":" in site_domain or "." not in site_domain):
        raise DeploymentSettingsError(f"site_domain_name: {site_domain!r} is not a host name such as www.example.com")
    if site_certificate is not None and not site_certificate.startswith("arn:aws:acm:us-east-1:"):
        raise DeploymentSettingsError(
            f"site_certificate_arn: {site_certificate!r} is not an ACM certificate ARN in us-east-1 "
            "(the only region CloudFront takes certificates from)"
        )
    reserved = context("sweeper_reserved_concurrency")
    deployment = Deployment(
        region=require_seoul(str(context("region", SEOUL))),
        allowed_origins=allowed_origins,
        public_base_url=public_base_url,
        mail_sender=_email("mail_sender", context("mail_sender")),
        alarm_email=_email("alarm_email", context("alarm_email")),
        api_rate_limit=_positive("api_rate_limit", context("api_rate_limit", 50)),
        api_burst_limit=_positive("api_burst_limit", context("api_burst_limit", 100)),
        public_rate_limit=_positive("public_rate_limit", context("public_rate_limit", 30)),
        public_burst_limit=_positive("public_burst_limit", context("public_burst_limit", 60)),
        rights_rate_limit=_positive("rights_rate_limit", context("rights_rate_limit", 5)),
        rights_burst_limit=_positive("rights_burst_limit", context("rights_burst_limit", 10)),
        waf_requests_per_ip_per_5_minutes=_positive(
            "waf_requests_per_ip_per_5_minutes", context("waf_requests_per_ip_per_5_minutes", 300)
        ),
        waf_rights_requests_per_ip_per_5_minutes=_positive(
            "waf_rights_requests_per_ip_per_5_minutes", context("waf_rights_requests_per_ip_per_5_minutes", 100)
        ),
        records_opened_per_5_minutes_alarm=_positive(
            "records_opened_per_5_minutes_alarm", context("records_opened_per_5_minutes_alarm", 500)
        ),
        staff_console_url=console,
        site_domain_name=site_domain,
        site_certificate_arn=site_certificate,
        sweeper_reserved_concurrency=(
            None if reserved in (None, "") else _positive("sweeper_reserved_concurrency", reserved)
        ),
        staff_sign_in_domain_prefix=str(context("staff_sign_in_domain_prefix", "")) or None,
        provision_mail_identity=str(context("provision_mail_identity", "true")).lower() == "true",
    )
    _check_throttles(deployment)
    if str(context("require_deployable_settings", "false")).lower() == "true" and deployment.placeholders():
        raise DeploymentSettingsError(
            "refusing to deploy with placeholder settings (hosts on .example): "
            + ", ".join(deployment.placeholders())
            + ". Set them with -c key=value or in cdk.context.json (docs/deploy.md)."
        )
    return deployment
