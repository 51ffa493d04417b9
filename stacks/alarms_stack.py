"""Alarms for the PI manager: signs of attack, failure or unusual access, sent to one SNS topic.

§8: intrusions and leaks must be noticed and acted on "immediately"; each alarm names what it saw.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from policybound import tables
from policybound.adapters.metrics import RECORDS_OPENED
from stacks.api_stack import ApiStack
from stacks.audit_stack import AuditStack
from stacks.data_stack import DataStack
from stacks.dead_letters import dead_letter_queue
from stacks.deployment import Deployment
from stacks.functions import STAFF_PATH, PublicRoutes, StaffRoutes
from stacks.lambda_functions import PolicyboundFunction

NAMESPACE = tables.METRICS_NAMESPACE
# KMS calls that change who may use a key, or whether it can be used at all.
KEY_ACCESS_CHANGES = ("PutKeyPolicy", "CreateGrant", "DisableKey", "ScheduleKeyDeletion")
FIVE_MINUTES = Duration.minutes(5)
WAF_BLOCKS_PER_5_MINUTES = 100
API_5XX_PER_5_MINUTES = 5
STAFF_AUTH_FAILURES_PER_5_MINUTES = 10


def _hourly(function: PolicyboundFunction, metric_name: str, statistic: str) -> cloudwatch.Metric:
    """A function's EMF metric per hour (Powertools adds the `service` dimension)."""
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=metric_name,
        dimensions_map={"service": function.spec.service_name},
        statistic=statistic,
        period=Duration.hours(1),
    )


class AlarmsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: DataStack,
        api: ApiStack,
        audit: AuditStack,
        deployment: Deployment,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.topic = self._topic(deployment)
        action = actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        self._alarm(
            "WafBlockSpike",
            cloudwatch.Metric(
                namespace="AWS/WAFV2",
                metric_name="BlockedRequests",
                dimensions_map={"WebACL": api.firewall.name, "Region": self.region, "Rule": "ALL"},
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            WAF_BLOCKS_PER_5_MINUTES,
            "WAF blocked an unusual number of requests to the API: possible attack (§8.1).",
            action,
        )
        self._alarm(
            "Api5xx",
            api.api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
            API_5XX_PER_5_MINUTES,
            "The API answered 5xx repeatedly: submissions or rights requests may be failing.",
            action,
        )
        self._log_alarm(
            "StaffAuthFailures",
            api.access_logs,
            f'{{ ($.status = "401" || $.status = "403") && $.resourcePath = "{STAFF_PATH}" }}',
            STAFF_AUTH_FAILURES_PER_5_MINUTES,
            "Repeated 401/403 on staff routes: someone is guessing tokens or using a role beyond its rights.",
            action,
        )
        self._bulk_read_alarm(api, deployment, action)
        self._key_misuse_alarm(data, audit, action)
        for name, function in api.functions.items():
            self._alarm(
                f"{name}Errors",
                function.function.metric_errors(period=FIVE_MINUTES, statistic="Sum"),
                1,
                f"{name} failed: {function.spec.description}.",
                action,
            )
        self._retention_alarms(api, action)
        self._alarm(
            "AsyncFailures",
            api.failures.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
            1,
            "A scheduled sweep or a TTL backstop batch failed for good: destruction may be late (§4).",
            action,
        )

    def _bulk_read_alarm(self, api: ApiStack, deployment: Deployment, action: cloudwatch.IAlarmAction) -> None:
        """Records opened by the API functions, summed: KEKs are cached, so KMS Decrypt calls would not
        show a bulk export; the functions count each record they decrypt (adapters.metrics)."""
        opened = {
            f"opened{index}": cloudwatch.Metric(
                namespace=NAMESPACE,
                metric_name=RECORDS_OPENED,
                dimensions_map={"service": function.spec.service_name},
                statistic="Sum",
                period=FIVE_MINUTES,
            )
            for index, function in enumerate(api.functions.values())
            if isinstance(function.spec.trigger, PublicRoutes | StaffRoutes)
        }
        self._alarm(
            "BulkRecordReads",
            cloudwatch.MathExpression(
                expression=" + ".join(f"FILL({name}, 0)" for name in opened),
                using_metrics=opened,
                period=FIVE_MINUTES,
                label="Records opened by the API functions",
            ),
            deployment.records_opened_per_5_minutes_alarm,
            "Unusually many records were decrypted in 5 minutes: possible bulk reading of personal information.",
            action,
        )

    def _key_misuse_alarm(self, data: DataStack, audit: AuditStack, action: cloudwatch.IAlarmAction) -> None:
        """Someone changed who may use a key that opens records or computes blind indexes."""
        arns = [data.key(spec).key_arn for spec in tables.KMS_KEYS if spec.named_users_only]
        on_keys = " || ".join(f'$.resources[0].ARN = "{arn}"' for arn in arns)
        names = " || ".join(f'$.eventName = "{name}"' for name in KEY_ACCESS_CHANGES)
        self._log_alarm(
            "KeyAccessChanges",
            audit.log_group,
            f'{{ $.eventSource = "kms.amazonaws.com" && ({names}) && ({on_keys}) }}',
            1,
            "The key policy, a grant, or the state of a key that opens records or computes blind indexes "
            "changed: check in CloudTrail who did it and why (§8.2).",
            action,
            alarm_name="KeyAccessChanged",
        )

    def _log_alarm(
        self,
        metric_name: str,
        log_group: logs.ILogGroup,
        pattern: str,
        threshold: float,
        description: str,
        action: cloudwatch.IAlarmAction,
        *,
        alarm_name: str | None = None,
    ) -> None:
        """An alarm on the count of log events matching `pattern` in 5 minutes (filter `<metric>Filter`)."""
        matches = logs.MetricFilter(
            self,
            f"{metric_name}Filter",
            log_group=log_group,
            filter_pattern=logs.FilterPattern.literal(pattern),
            metric_namespace=NAMESPACE,
            metric_name=metric_name,
            metric_value="1",
            default_value=0,
        )
        self._alarm(
            alarm_name or metric_name,
            matches.metric(statistic="Sum", period=FIVE_MINUTES),
            threshold,
            description,
            action,
        )

    def _retention_alarms(self, api: ApiStack, action: cloudwatch.IAlarmAction) -> None:
        """EMF metrics of the sweeper and the TTL backstop (Powertools adds the `service` dimension)."""
        self._alarm(
            tables.SWEEP_INCOMPLETE_METRIC,
            _hourly(api.functions["Sweeper"], tables.SWEEP_INCOMPLETE_METRIC, "Maximum"),
            1,
            "Two hourly sweeps in a row stopped before destroying everything due: destruction is falling "
            "behind (§4); check the sweeper's summary and its duration.",
            action,
            evaluation_periods=2,
        )
        self._alarm(
            tables.KEYS_SHREDDED_AFTER_TTL_METRIC,
            _hourly(api.functions["TtlBackstop"], tables.KEYS_SHREDDED_AFTER_TTL_METRIC, "Sum"),
            0,
            "DynamoDB TTL removed a record before the sweeper destroyed it: the sweeper missed a record "
            "that was due (§4). The backstop shredded its key; find out why the sweep missed it.",
            action,
            comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _topic(self, deployment: Deployment) -> sns.Topic:
        key = kms.Key(
            self,
            "AlarmTopicKey",
            alias="alias/policybound-alarms",
            description="Policybound: alarm notifications",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchPublishesAlarms",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        topic = sns.Topic(
            self,
            "PiManagerAlarms",
            display_name="Policybound alarms for the Personal Information Manager",
            master_key=key,
            enforce_ssl=True,
        )
        undeliverable = dead_letter_queue(
            self,
            "UndeliverableAlarms",
            no_dead_letters_because="This queue is the dead-letter queue of the alarm email subscription; a "
            "dead-letter queue of a dead-letter queue would add nothing an operator reads.",
            no_redrive_because="This queue is itself a dead-letter queue (alarm emails SNS could not deliver); "
            "nothing consumes it automatically, so there is nothing to redrive to.",
        )
        topic.add_subscription(subscriptions.EmailSubscription(deployment.alarm_email, dead_letter_queue=undeliverable))
        return topic

    def _alarm(
        self,
        name: str,
        metric: cloudwatch.IMetric,
        threshold: float,
        description: str,
        action: cloudwatch.IAlarmAction,
        *,
        evaluation_periods: int = 1,
        comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(action)
        self.alarms[name] = alarm
