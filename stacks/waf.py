"""The web ACL in front of the API: the policy's "intrusion prevention system" (§8.1)."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

# AWS managed rule groups, in evaluation order. SQL and OS-specific sets are left out: nothing here
# runs SQL or a shell, and every extra group adds false positives on free-text inquiries.
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
# The API accepts bodies up to 16 KiB and answers larger ones with its own 413 error (API.md); the
# common rule set's 8 KB body-size rule would block valid inquiries first, so it only counts.
COUNT_ONLY_RULES = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}
RATE_RULE_NAME = "RateLimitPerClientIp"
RIGHTS_RATE_RULE_NAME = "RightsRateLimitPerClientIp"
# Matched anywhere in the path: the stage URL puts the stage name before it, a custom domain does not.
RIGHTS_PATH_PREFIX = "/v1/rights/"
# WAF logs keep only blocked requests, for incident review; fields that could carry PI are redacted.
# They hold client IPs of blocked requests (PI under §1.2), so they are kept only three months.
WAF_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=False
    )


def _rate_rule(
    name: str, priority: int, limit: int, *, only: wafv2.CfnWebACL.StatementProperty | None = None
) -> wafv2.CfnWebACL.RuleProperty:
    """Blocks a client IP that sends more than `limit` requests (of those matching `only`, if given) in
    any five minutes."""
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        action=wafv2.CfnWebACL.RuleActionProperty(block={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=limit, aggregate_key_type="IP", evaluation_window_sec=300, scope_down_statement=only
            )
        ),
        visibility_config=_visibility(name),
    )


class ApiFirewall(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        requests_per_ip_per_5_minutes: int,
        rights_requests_per_ip_per_5_minutes: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.name = "policybound-api"
        self.metric_name = self.name
        rules = [
            # Anonymous rights requests (codes mailed, codes guessed) from one address are cut off first,
            # well before the general limit; staff routes are never counted here.
            _rate_rule(
                RIGHTS_RATE_RULE_NAME,
                0,
                rights_requests_per_ip_per_5_minutes,
                only=wafv2.CfnWebACL.StatementProperty(
                    byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                        positional_constraint="CONTAINS",
                        search_string=RIGHTS_PATH_PREFIX,
                        text_transformations=[
                            wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="URL_DECODE"),
                            wafv2.CfnWebACL.TextTransformationProperty(priority=1, type="LOWERCASE"),
                        ],
                    )
                ),
            ),
            _rate_rule(RATE_RULE_NAME, 1, requests_per_ip_per_5_minutes),
        ]
        for priority, group in enumerate(MANAGED_RULE_GROUPS, start=len(rules)):
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name=group,
                    priority=priority,
                    override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                            vendor_name="AWS",
                            name=group,
                            rule_action_overrides=[
                                wafv2.CfnWebACL.RuleActionOverrideProperty(
                                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                                )
                                for rule in COUNT_ONLY_RULES.get(group, ())
                            ]
                            or None,
                        )
                    ),
                    visibility_config=_visibility(group),
                )
            )
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=self.name,
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            visibility_config=_visibility(self.metric_name),
            description="Policybound API: AWS managed rules and a per-IP rate limit",
        )
        # WAF requires this exact name prefix for CloudWatch Logs destinations, and the ARN without ":*".
        log_group_name = f"aws-waf-logs-policybound-{Stack.of(self).stack_name}"
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=log_group_name,
            retention=WAF_LOG_RETENTION,
            # Named (WAF requires the prefix), so kept only once created: a first create that rolls back
            # deletes it, and the retry can create the same name again.
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                Stack.of(self).format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name=log_group_name,
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            ],
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(query_string={}),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"}),
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "cookie"}),
            ],
            logging_filter={
                "DefaultBehavior": "DROP",
                "Filters": [
                    {
                        "Behavior": "KEEP",
                        "Requirement": "MEETS_ANY",
                        "Conditions": [{"ActionCondition": {"Action": "BLOCK"}}],
                    }
                ],
            },
        )
        logging.node.add_dependency(self.log_group)

    def associate(self, resource_arn: str) -> wafv2.CfnWebACLAssociation:
        return wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=resource_arn, web_acl_arn=self.web_acl.attr_arn
        )
