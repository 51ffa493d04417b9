"""The sample site and the staff console (web/), served by CloudFront from a private S3 bucket in Seoul.

- The bucket is private (every public access blocked, TLS only, SSE-S3, versioned); CloudFront reads it
  through an origin access control, signed per request — no one reaches the objects but the distribution.
- Only static files pass through CloudFront. The pages call the API on its own regional origin (WAF,
  throttling and the consent proof's source address stay as they are), so no personal information ever
  passes an edge location or a CloudFront log.
- Every answer carries the site's headers from stacks/site_headers.py (the one declaration local mode
  serves too): a strict CSP whose connect-src names the API's origin, and for the console also Cognito's
  managed login domain (token exchange and revocation); the console's answers are `no-store`.
- The pages are rendered by stacks/site_pages.py (one shell, the list of pages; local mode serves the same
  renderings) and published beside web/'s other files.
- `assets/config.js` is written at deploy time from the stack's own values: the API's base URL and the
  console's sign-in (`window.POLICYBOUND_CONFIG.staffSignIn = {mode: "cognito", domain, clientId,
  redirectUri}`), so a deployed console never needs a hand-edited file.

The distribution's name is the console's address, which the user pool's app client needs as its callback
and the API as an allowed origin; the CSP in turn needs the API and the sign-in domain. These are one
stack's resources without a cycle (the CSP reads the RestApi's id and spells the sign-in host from its
prefix, the client and the functions read the distribution's name), built in two steps: the distribution
first (`SiteHosting`), its CSP once the rest exists (`connect`). The files follow in a stack of their own
(`SiteFilesStack`), after the API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import jsii
from aws_cdk import CfnOutput, Duration, Fn, IStableStringProducer, Lazy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from stacks.deployment import Deployment
from stacks.nag import acknowledge, acknowledge_bucket_deployment, skip_checkov
from stacks.paths import WEB_DIR
from stacks.private_bucket import private_bucket
from stacks.site_headers import CONSOLE_CACHE_CONTROL, CONSOLE_PREFIX, SECURITY_HEADERS, content_security_policy
from stacks.site_pages import PAGES, render

CONFIG_KEY = "assets/config.js"
SITE_BUCKET_EXPORT = "PolicyboundSiteBucketArn"
# Why the distribution goes without what cdk-nag and checkov ask of every distribution.
WAF_REASON = (
    "A CLOUDFRONT-scope web ACL can only be created in us-east-1, and everything of Policybound stays in Seoul "
    "(policy §5). The distribution serves static files only (GET/HEAD, no forms, no PI); every call that matters "
    "goes to the API, behind its own regional WAF."
)
LOGS_REASON = (
    "CloudFront access logs would hold every visitor's IP address and user agent, a second copy of personal "
    "information that nobody consented to (the API's access log leaves them out for the same reason). The "
    "distribution serves static files only."
)
DEFAULT_CERTIFICATE_REASON = (
    "Without a domain of the company's own (site_domain_name and site_certificate_arn) the distribution uses "
    "CloudFront's default certificate, whose minimum protocol CloudFront fixes; with them it requires TLSv1.2_2021. "
    "Viewers are always redirected to HTTPS."
)
# Two years, the HSTS preload list's minimum.
HSTS_MAX_AGE = Duration.days(730)
# Directory addresses (`/`, `/staff/`) are their index.html; `/staff` is sent on to `/staff/`.
INDEX_FUNCTION = """
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
    return request;
  }
  if (uri === '/staff') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/staff/' } } };
  }
  return request;
}
"""


@jsii.implements(IStableStringProducer)
class _Later:
    """A value known only once the rest of the stack is built (see the module's docstring)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.value: str | None = None

    def produce(self) -> str | None:
        if self.value is None:
            raise RuntimeError(f"SiteHosting: {self.what} was never set (call SiteHosting.publish)")
        return self.value


@dataclass(frozen=True)
class SignIn:
    """What the deployed console needs to sign staff in through Cognito managed login."""

    domain: str  # the managed login host, e.g. policybound-staff-123.auth.ap-northeast-2.amazoncognito.com
    client_id: str


def config_js(api_base: str, console_url: str, sign_in: SignIn) -> str:
    """The deployed `assets/config.js` (tokens in it are resolved at deploy time)."""
    config = {
        "apiBase": api_base,
        "staffSignIn": {
            "mode": "cognito",
            "domain": sign_in.domain,
            "clientId": sign_in.client_id,
            "redirectUri": console_url,
        },
    }
    return (
        "// Written at deploy time (stacks/site_hosting.py) from the deployed API and staff sign-in.\n"
        f"window.POLICYBOUND_CONFIG = Object.assign({json.dumps(config)}, window.POLICYBOUND_CONFIG || {{}});\n"
    )


class SiteHosting(Construct):
    def __init__(self, scope: Construct, construct_id: str, deployment: Deployment) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(
            self,
            "Files",
            no_access_logs_because="The site bucket holds the public sample site's and console's static files only, "
            "written by the deployment; its only reader is CloudFront through the origin access control. Server "
            "access logs would record visitors' IP addresses, a copy of personal information nobody consented to "
            "(the API's access log leaves IPs out for the same reason).",
        )
        self._site_csp = _Later("the site's connect-src")
        self._console_csp = _Later("the console's connect-src")
        index_function = cloudfront.Function(
            self,
            "DirectoryIndex",
            code=cloudfront.FunctionCode.from_inline(INDEX_FUNCTION),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Directory addresses are their index.html",
        )
        origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)

        def behavior(headers: cloudfront.IResponseHeadersPolicy) -> cloudfront.BehaviorOptions:
            return cloudfront.BehaviorOptions(
                origin=origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=index_function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )

        custom = deployment.site_domain_name is not None and deployment.site_certificate_arn is not None
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Policybound sample site and staff console (static files only; the API stays regional)",
            default_behavior=behavior(self._headers("SiteHeaders", self._site_csp, console=False)),
            additional_behaviors={
                f"{CONSOLE_PREFIX}*": behavior(self._headers("ConsoleHeaders", self._console_csp, console=True))
            },
            default_root_object="index.html",
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            # Includes the edge locations in Korea, where the site's visitors and the staff are.
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,
            domain_names=[deployment.site_domain_name] if custom and deployment.site_domain_name else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, "Certificate", deployment.site_certificate_arn)
                if custom and deployment.site_certificate_arn
                else None
            ),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if custom else None,
            enable_logging=False,
        )
        self._acknowledge_distribution(custom)
        host = deployment.site_domain_name or self.distribution.distribution_domain_name
        self.origin = f"https://{host}"
        # The console's address: the pool's callback and sign-out URL, unless the settings name another.
        self.console_url = deployment.staff_console_url or f"{self.origin}{CONSOLE_PREFIX}"
        stack = Stack.of(self)
        CfnOutput(stack, "SiteUrl", value=f"{self.origin}/", description="The sample site")
        CfnOutput(stack, "SiteBucketName", value=self.bucket.bucket_name, description="The site's files")
        # Exported under a name of its own: the files stack imports it, and its grant names it.
        CfnOutput(
            stack,
            "SiteBucketArn",
            value=self.bucket.bucket_arn,
            description="The site's files (for the files stack)",
            export_name=SITE_BUCKET_EXPORT,
        )
        CfnOutput(
            stack, "SiteDistributionId", value=self.distribution.distribution_id, description="The site's CloudFront"
        )

    def _headers(self, construct_id: str, csp: _Later, *, console: bool) -> cloudfront.ResponseHeadersPolicy:
        extra = {name: value for name, value in SECURITY_HEADERS.items() if name == "Cross-Origin-Opener-Policy"}
        if console:
            extra["Cache-Control"] = CONSOLE_CACHE_CONTROL
        return cloudfront.ResponseHeadersPolicy(
            self,
            construct_id,
            comment="Policybound console: strict CSP, no-store" if console else "Policybound site: strict CSP",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=Lazy.string(csp), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=False, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                    for name, value in extra.items()
                ]
            ),
        )

    def connect(self, *, api_origin: str, sign_in: SignIn) -> None:
        """The CSPs' calls, once the API and the sign-in exist."""
        self._site_csp.value = content_security_policy([api_origin])
        self._console_csp.value = content_security_policy([api_origin, f"https://{sign_in.domain}"])

    def _acknowledge_distribution(self, custom: bool) -> None:
        distribution = self.distribution.node.default_child
        assert isinstance(distribution, cloudfront.CfnDistribution)
        skip_checkov(distribution, "CKV_AWS_68", WAF_REASON)
        skip_checkov(distribution, "CKV_AWS_86", LOGS_REASON)
        if not custom:
            skip_checkov(distribution, "CKV_AWS_174", DEFAULT_CERTIFICATE_REASON)
        for rule, reason in (
            (
                "AwsSolutions-CFR1",
                "The sample site is the company's public website and the staff work from wherever they are signed "
                "in; who may do what is decided by the API (Cognito groups, WAF). Blocking countries would hide the "
                "policy and the rights page from data subjects abroad.",
            ),
            (
                "AwsSolutions-CFR2",
                WAF_REASON,
            ),
            (
                "AwsSolutions-CFR3",
                LOGS_REASON,
            ),
        ):
            acknowledge(self.distribution, rule, reason)
        if not custom:
            acknowledge(
                self.distribution,
                "AwsSolutions-CFR4",
                DEFAULT_CERTIFICATE_REASON,
            )


class SiteFilesStack(Stack):
    """The site's files, its rendered pages and its generated config.js, copied into the site bucket after
    the API stack (whose API, sign-in and distribution they name); the edge's cached copies are invalidated
    on every deploy. A stack of its own, so CDK's copying function sits apart from the application's
    functions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        site: SiteHosting,
        api_base: str,
        sign_in: SignIn,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.add_stack_dependency(Stack.of(site))
        bucket = s3.Bucket.from_bucket_attributes(self, "SiteBucket", bucket_arn=Fn.import_value(SITE_BUCKET_EXPORT))
        files = s3_deployment.BucketDeployment(
            self,
            "Publish",
            sources=[
                s3_deployment.Source.asset(str(WEB_DIR), exclude=[CONFIG_KEY]),
                *(s3_deployment.Source.data(page.path, render(page.path)) for page in PAGES),
                s3_deployment.Source.data(CONFIG_KEY, config_js(api_base, site.console_url, sign_in)),
            ],
            destination_bucket=bucket,
            # A file taken out of web/, or a page out of site_pages.PAGES, leaves the site too.
            prune=True,
            distribution=site.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        acknowledge_bucket_deployment(
            files,
            SITE_BUCKET_EXPORT,
            "copies the sample site's and console's static files and the generated config.js at deploy time",
            invalidates=True,
        )
