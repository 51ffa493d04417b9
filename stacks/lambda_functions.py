"""Builds a Lambda function from its spec: code, layers, role with only the spec's actions, log group.

One role per function, written out action by action (no managed policies, no `*` actions), so the
template shows exactly what each function may do.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from policybound import settings, tables
from stacks.data_stack import TABLE_ENCRYPTION_KEY, DataStack
from stacks.dependency_layer import ARCHITECTURE, RUNTIME
from stacks.deployment import Deployment
from stacks.functions import FunctionSpec, StaffSignInTriggers
from stacks.nag import acknowledge

# Application logs hold ids and hashes, never PI (DESIGN.md §7); kept long enough for incident review.
FUNCTION_LOG_RETENTION = logs.RetentionDays.ONE_YEAR


class UnknownSettingError(ValueError):
    """policybound.settings names a variable the stacks do not know how to fill."""


# Settings a function may go without (`policybound.settings.Settings` gives them a default).
OPTIONAL_ENV_VARS = settings.optional_environment_names()


def environment(
    data: DataStack,
    deployment: Deployment,
    staff_user_pool_id: str | None,
    public_base_url: str,
    staff_app_client_id: str | None = None,
) -> dict[str, str]:
    """Every variable `policybound.settings` reads, from the deployed resources and the deployment settings.

    `staff_user_pool_id` is None for the pool's own triggers: the pool references its trigger, so the
    trigger cannot reference the pool (a cycle); Cognito passes the pool id in every trigger event.
    """
    known: dict[str, str] = {spec.env_var: data.table(spec).table_name for spec in tables.TABLES}
    known |= {spec.env_var: data.key(spec).key_arn for spec in tables.KMS_KEYS}
    known |= {spec.env_var: data.bucket(spec).bucket_name for spec in tables.BUCKETS}
    known |= {spec.env_var: data.queue(spec).queue_url for spec in tables.QUEUES}
    name = settings.environment_name
    known |= {
        name("mail_sender"): deployment.mail_sender,
        name("public_base_url"): public_base_url,
        name("allowed_origins"): ",".join(deployment.allowed_origins),
    }
    if staff_user_pool_id is not None:
        known[name("staff_user_pool_id")] = staff_user_pool_id
    if staff_app_client_id is not None:
        known[name("staff_app_client_ids")] = staff_app_client_id
    missing = sorted(set(settings.environment_names().values()) - known.keys() - OPTIONAL_ENV_VARS)
    if missing:
        raise UnknownSettingError(
            f"policybound.settings reads {missing}, which the stacks do not provide: "
            "add them to stacks/lambda_functions.py:environment()"
        )
    return {var: known[var] for var in settings.environment_names().values() if var in known}


class PolicyboundFunction(Construct):
    def __init__(
        self,
        scope: Construct,
        spec: FunctionSpec,
        *,
        data: DataStack,
        deployment: Deployment,
        code: lambda_.Code,
        layers: list[lambda_.ILayerVersion],
        failures: sqs.IQueue,
        staff_user_pool_id: str,
        public_base_url: str,
        staff_app_client_id: str,
    ) -> None:
        super().__init__(scope, spec.name)
        self.spec = spec
        stack = Stack.of(self)
        no_dead_letter_queue_because = spec.trigger.no_dead_letter_queue_because
        # The pool references its triggers, so a trigger cannot reference the pool (see `environment`).
        pool_trigger = isinstance(spec.trigger, StaffSignInTriggers)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=FUNCTION_LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        self.role = iam.Role(
            self,
            "Role",
            role_name=spec.role_name,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Only what {spec.name} uses (stacks/functions.py)",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=code,
            layers=layers,
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            role=self.role,
            log_group=self.log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            # Only a function invoked asynchronously has one (stacks/functions.py says which).
            dead_letter_queue=failures if no_dead_letter_queue_because is None else None,
            # Opt-in: a new account's concurrency limit (10) leaves nothing to reserve (docs/deploy.md).
            reserved_concurrent_executions=deployment.sweeper_reserved_concurrency if spec.single_instance else None,
            environment={
                **environment(
                    data,
                    deployment,
                    None if pool_trigger else staff_user_pool_id,
                    public_base_url,
                    None if pool_trigger else staff_app_client_id,
                ),
                "POWERTOOLS_SERVICE_NAME": spec.service_name,
                "POWERTOOLS_LOG_LEVEL": "INFO",
                # Events carry PI in their bodies: never log them, whatever a handler's decorator says.
                "POWERTOOLS_LOGGER_LOG_EVENT": "false",
            },
        )
        self._grant_logs(stack)
        self._grant_tables(data)
        self._grant_keys(data, stack)
        self._grant_buckets(data)
        for queue in spec.sends_to:
            self.role.add_to_policy(
                iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[data.queue(queue).queue_arn])
            )
        if spec.sends_mail:
            self._grant_mail(deployment, stack)
        if spec.staff_pool_actions:
            self._grant_staff_pool(stack, staff_user_pool_id)
        if no_dead_letter_queue_because is not None:
            acknowledge(self.function, "Serverless-LambdaDLQ", no_dead_letter_queue_because.format(spec.name))
        why_this_runtime = (
            f"{RUNTIME.name}: the newest Lambda Python whose interpreter our build and test machines have; the "
            "tests, the start-as-deployed test and the shipped bytecode use that minor version, so what is tested "
            "is what runs (no 3.14 interpreter is installable from any registry these machines reach)."
        )
        acknowledge(self.function, "AwsSolutions-L1", why_this_runtime)
        acknowledge(self.function, "Serverless-LambdaLatestVersion", why_this_runtime)
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords and DynamoDB ListStreams (stream consumers only) support "
            "no resource-level permissions; every other statement of this role names its resources.",
        )

    def _grant_logs(self, stack: Stack) -> None:
        # Written out instead of AWSLambdaBasicExecutionRole, which would allow writing to every log group.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )

    def _grant_tables(self, data: DataStack) -> None:
        for access in self.spec.tables:
            table = data.table(access.table)
            resources = [table.table_arn, *(f"{table.table_arn}/index/{index}" for index in access.indexes)]
            conditions = (
                {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": list(access.leading_keys)}}
                if access.leading_keys
                else None
            )
            self.role.add_to_policy(
                iam.PolicyStatement(actions=list(access.actions), resources=resources, conditions=conditions)
            )
        if self.spec.tables:
            # Tables are encrypted with the tables key; DynamoDB uses it on the caller's behalf, and only
            # through DynamoDB may this role use it for that.
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=[
                        "kms:Decrypt",
                        "kms:DescribeKey",
                        "kms:Encrypt",
                        "kms:GenerateDataKey",
                        "kms:ReEncryptFrom",
                        "kms:ReEncryptTo",
                    ],
                    resources=[data.key(TABLE_ENCRYPTION_KEY).key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{Stack.of(self).region}.amazonaws.com"}},
                )
            )

    def _grant_keys(self, data: DataStack, stack: Stack) -> None:
        for access in self.spec.keys:
            context = {f"kms:EncryptionContext:{name}": value for name, value in access.key.encryption_context}
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=list(access.actions),
                    resources=[data.key(access.key).key_arn],
                    conditions={"StringEquals": context} if context else None,
                )
            )

    def _grant_buckets(self, data: DataStack) -> None:
        for access in self.spec.buckets:
            bucket = data.bucket(access.bucket)
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=list(access.actions), resources=[bucket.arn_for_objects(key) for key in access.objects]
                )
            )

    def _grant_staff_pool(self, stack: Stack, staff_user_pool_id: str) -> None:
        # A policy of its own, not the role's default policy: the function depends on its role's default
        # policy, and the pool depends on its trigger functions, so the pool's ARN there would be a cycle.
        # The ARN is formatted from the pool id rather than read from the pool's Arn attribute.
        pool_arn = stack.format_arn(service="cognito-idp", resource="userpool", resource_name=staff_user_pool_id)
        iam.Policy(
            self,
            "StaffPoolAccess",
            roles=[self.role],
            statements=[iam.PolicyStatement(actions=list(self.spec.staff_pool_actions), resources=[pool_arn])],
        )

    def _grant_mail(self, deployment: Deployment, stack: Stack) -> None:
        identity = f"arn:aws:ses:{stack.region}:{stack.account}:identity"
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ses:SendRawEmail"],
                # SES authorises against the verified identity: the address itself or its domain.
                resources=[f"{identity}/{deployment.mail_sender}", f"{identity}/{deployment.mail_domain}"],
                conditions={"StringEquals": {"ses:FromAddress": deployment.mail_sender}},
            )
        )
