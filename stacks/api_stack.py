"""API: the functions declared in stacks/functions.py, the REST API in front of them, WAF and staff sign-in.

Changes with the application code; holds no data of its own, so it can be replaced freely.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from policybound import tables
from policybound.api.errors import GATEWAY_ANSWERS, error_body
from policybound.api.http import NO_STORE
from stacks.access_log import access_log_format
from stacks.data_stack import TABLE_ENCRYPTION_KEY, DataStack
from stacks.dead_letters import dead_letter_queue
from stacks.dependency_layer import application_code, dependency_layer
from stacks.deployment import Deployment
from stacks.functions import (
    PUBLIC_PATH,
    RIGHTS_PATH,
    FunctionSpec,
    PublicRoutes,
    QueueMessages,
    Schedule,
    StaffRoutes,
    StaffSignInTriggers,
    TableStream,
    require_entry_modules,
)
from stacks.lambda_functions import PolicyboundFunction
from stacks.mail_identity import MailIdentity
from stacks.nag import acknowledge
from stacks.site_hosting import SignIn, SiteHosting
from stacks.staff_identity import StaffIdentity
from stacks.waf import ApiFirewall

STAGE_NAME = "prod"
# Only deletions made by DynamoDB's TTL process reach the TTL backstop; removals by the sweeper, an
# unsubscribe or an erasure (made by a function's role) have their ledger entry already.
TTL_REMOVALS: dict[str, object] = {
    "eventName": lambda_.FilterRule.is_equal("REMOVE"),
    "userIdentity": {name: lambda_.FilterRule.is_equal(value) for name, value in tables.TTL_REMOVAL_IDENTITY.items()},
}
API_LOG_RETENTION = logs.RetentionDays.ONE_YEAR


class ApiStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: DataStack,
        deployment: Deployment,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        self.specs = require_entry_modules()
        code = application_code()
        layers: list[lambda_.ILayerVersion] = [dependency_layer(self, "Dependencies")]
        self.failures = self._failure_queue()
        # First the site's distribution: its name is the console's address (the pool's callback) and an origin
        # the API serves. Its CSP and files follow once the API and the sign-in exist (`publish` below).
        self.site = SiteHosting(self, "Site", deployment)
        # The site's pages call the API from the site's origin.
        deployment = replace(deployment, allowed_origins=(*deployment.allowed_origins, self.site.origin))
        self.staff = StaffIdentity(self, "Staff", deployment, console_url=self.site.console_url)
        if deployment.provision_mail_identity:
            MailIdentity(self, "Mail", deployment)
        self.firewall = ApiFirewall(
            self,
            "Firewall",
            requests_per_ip_per_5_minutes=deployment.waf_requests_per_ip_per_5_minutes,
            rights_requests_per_ip_per_5_minutes=deployment.waf_rights_requests_per_ip_per_5_minutes,
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=API_LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        # Before the functions: their mail links point at it. Only the RestApi's id is read, never its
        # stage (the stage depends on the methods, which depend on the functions).
        self.api = self._rest_api(deployment)
        self.public_base_url = deployment.public_base_url or (
            f"https://{self.api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}/{STAGE_NAME}"
        )
        self.functions: dict[str, PolicyboundFunction] = {
            spec.name: PolicyboundFunction(
                self,
                spec,
                data=data,
                deployment=deployment,
                code=code,
                layers=layers,
                failures=self.failures,
                staff_user_pool_id=self.staff.user_pool.user_pool_id,
                public_base_url=self.public_base_url,
                staff_app_client_id=self.staff.client.user_pool_client_id,
            )
            for spec in self.specs
        }
        for function in self.functions.values():
            if isinstance(function.spec.trigger, StaffSignInTriggers):
                self.staff.add_sign_in_triggers(function.function)
        self._routes()
        self._schedules_and_streams(data)
        self.firewall.associate(self.api.deployment_stage.stage_arn)
        # The site's CSP names the API's origin (its custom domain, or the stage's own) and the sign-in domain.
        api_host = urlsplit(deployment.public_base_url).hostname if deployment.public_base_url else None
        api_origin = f"https://{api_host or f'{self.api.rest_api_id}.execute-api.{self.region}.{self.url_suffix}'}"
        self.sign_in = SignIn(domain=self.staff.sign_in_host, client_id=self.staff.client.user_pool_client_id)
        self.site.connect(api_origin=api_origin, sign_in=self.sign_in)

    # --- API --------------------------------------------------------------------------------------

    def _rest_api(self, deployment: Deployment) -> apigw.RestApi:
        cors = (
            apigw.CorsOptions(
                allow_origins=list(deployment.allowed_origins),
                allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
                allow_headers=["Content-Type", "Authorization", "Idempotency-Key", "Accept-Language"],
                max_age=Duration.hours(1),
            )
            if deployment.allowed_origins
            else None
        )
        api = apigw.RestApi(
            self,
            "Api",
            rest_api_name="policybound",
            description="Policybound public and staff API (Seoul, REGIONAL)",
            # Edge-optimised endpoints sit behind CloudFront's global network; REGIONAL keeps it in Seoul.
            endpoint_configuration=apigw.EndpointConfiguration(types=[apigw.EndpointType.REGIONAL]),
            default_cors_preflight_options=cors,
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=STAGE_NAME,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.custom(access_log_format()),
                # Execution logs at ERROR never contain bodies; data tracing would, so it stays off.
                logging_level=apigw.MethodLoggingLevel.ERROR,
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=deployment.api_rate_limit,
                throttling_burst_limit=deployment.api_burst_limit,
                # Each method has its own bucket; the anonymous ones are held below the staff routes'.
                method_options={
                    f"{PUBLIC_PATH}/*": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=deployment.public_rate_limit,
                        throttling_burst_limit=deployment.public_burst_limit,
                    ),
                    f"{RIGHTS_PATH}/*": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=deployment.rights_rate_limit,
                        throttling_burst_limit=deployment.rights_burst_limit,
                    ),
                },
            ),
        )
        # API Gateway creates the execution log group itself, without retention; creating it first fixes that.
        logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=f"API-Gateway-Execution-Logs_{api.rest_api_id}/{STAGE_NAME}",
            retention=API_LOG_RETENTION,
            # Named after the API, so kept only once created (a rolled-back first create leaves nothing behind).
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        acknowledge(
            api,
            "AwsSolutions-APIG2",
            "API Gateway validates what it can check before a function runs (a staff call's token header); the "
            "functions validate every body themselves (one guard against malformed JSON, then the pydantic models "
            "the OpenAPI document is generated from), so an API Gateway model would be a second copy of that schema.",
        )
        for response_type, (status, code, message) in GATEWAY_ANSWERS.items():
            api.add_gateway_response(
                f"Gateway{response_type}",
                type=apigw.ResponseType.of(response_type),
                status_code=str(status.value),
                templates={"application/json": error_body(code, message)},
                # API Gateway answers these itself, before any function runs: the functions' own header,
                # as a mapping value (a quoted literal), so no browser or proxy keeps a refusal.
                response_headers={name: f"'{value}'" for name, value in NO_STORE.items()},
            )
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "The account-level role API Gateway uses to write execution and access logs; AWS maintains this "
            "policy for exactly that service and it grants nothing else.",
        )
        return api

    def _resource(self, path: str) -> apigw.IResource:
        resource: apigw.IResource = self.api.root
        for part in path.strip("/").split("/"):
            resource = resource.get_resource(part) or resource.add_resource(part)
        return resource

    def _routes(self) -> None:
        # The only check API Gateway can make before a function runs: a staff call carries a token. Bodies
        # are validated once, by the functions (one body guard, then pydantic), so no method has a model.
        staff_header = apigw.RequestValidator(
            self, "RequireAuthorizationHeader", rest_api=self.api, validate_request_parameters=True
        )
        staff_authorizer = apigw.CognitoUserPoolsAuthorizer(
            self,
            "StaffAuthorizer",
            cognito_user_pools=[self.staff.user_pool],
            # No cache: a token whose member was revoked must be checked afresh on the very next call
            # (the staff function then refuses it against the member's current groups and sessions).
            results_cache_ttl=Duration.seconds(0),
        )
        for name, function in self.functions.items():
            trigger = function.spec.trigger
            integration = apigw.LambdaIntegration(function.function, proxy=True)
            if isinstance(trigger, PublicRoutes):
                for path in trigger.paths:
                    method = self._resource(path).add_method(
                        "ANY", integration, authorization_type=apigw.AuthorizationType.NONE
                    )
                    self._acknowledge_public(method, f"{name} serves {path}")
            elif isinstance(trigger, StaffRoutes):
                for path in trigger.paths:
                    self._staff_method(path, integration, staff_authorizer, staff_header)
        for method in self._options_methods():
            self._acknowledge_public(method, "CORS preflight")

    def _staff_method(
        self,
        path: str,
        integration: apigw.Integration,
        authorizer: apigw.IAuthorizer,
        validator: apigw.IRequestValidator,
    ) -> None:
        self._resource(path).add_method(
            "ANY",
            integration,
            authorizer=authorizer,
            authorization_type=apigw.AuthorizationType.COGNITO,
            request_validator=validator,
            # Rejected by the validator before the authorizer runs when the header is missing.
            request_parameters={"method.request.header.Authorization": True},
        )

    def _options_methods(self) -> list[apigw.Method]:
        return [
            child
            for child in self.api.node.find_all()
            if isinstance(child, apigw.Method) and child.http_method == "OPTIONS"
        ]

    @staticmethod
    def _acknowledge_public(method: apigw.Method, what: str) -> None:
        reason = (
            f"{what}: public by design (API.md 'Public routes'): anonymous visitors post forms and exercise "
            "their rights with one-time codes; WAF, stage throttling and per-route validation in the function "
            "protect it."
        )
        acknowledge(method, "AwsSolutions-APIG4", reason)
        acknowledge(method, "AwsSolutions-COG4", reason)

    # --- Schedules and streams -----------------------------------------------------------------------

    def _failure_queue(self) -> sqs.Queue:
        return dead_letter_queue(
            self,
            "AsyncFailures",
            no_dead_letters_because="This queue is itself the dead-letter queue of the sweeper schedule and the "
            "TTL backstop stream; its messages (event ids, stream positions, no PI) are investigated by hand from "
            "the alarm.",
            no_redrive_because="This queue is itself a dead-letter queue; an alarm fires on its first message and "
            "an operator replays the failed sweep or batch, so it has nothing to redrive to.",
        )

    def _schedules_and_streams(self, data: DataStack) -> None:
        for function in self.functions.values():
            trigger = function.spec.trigger
            if isinstance(trigger, Schedule):
                events.Rule(
                    self,
                    f"{function.spec.name}Schedule",
                    description=f"{function.spec.name}: every {trigger.minutes} minutes ({trigger.why})",
                    schedule=events.Schedule.rate(Duration.minutes(trigger.minutes)),
                    targets=[
                        targets.LambdaFunction(
                            function.function,
                            dead_letter_queue=self.failures,
                            retry_attempts=2,
                            max_event_age=Duration.hours(1),
                        )
                    ],
                )
            elif isinstance(trigger, TableStream):
                self._stream(function, data.table(trigger.table), data)
            elif isinstance(trigger, QueueMessages):
                function.function.add_event_source(
                    sources.SqsEventSource(
                        data.queue(trigger.queue),
                        batch_size=trigger.batch_size,
                        max_concurrency=trigger.max_concurrency,
                        report_batch_item_failures=True,
                    )
                )
                acknowledge(
                    function.function,
                    "Serverless-LambdaEventSourceMappingDestination",
                    "An SQS event source mapping takes no on-failure destination (only stream and Kafka sources do); "
                    "a message that keeps failing moves to the queue's own dead-letter queue (redrive policy, "
                    "tables.QueueSpec.max_receive_count).",
                )

    def _stream(self, function: PolicyboundFunction, table: dynamodb.ITable, data: DataStack) -> None:
        # Not DynamoEventSource: its grant gives the table key more than Decrypt. Stream reads are granted here.
        assert table.table_stream_arn is not None
        function.role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                resources=[table.table_stream_arn],
            )
        )
        function.role.add_to_policy(iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"]))
        # Stream records of a table encrypted with a customer managed key are decrypted for the reader, who
        # needs kms:Decrypt on that key; the role's grant through DynamoDB (kms:ViaService) is not documented
        # to cover DynamoDB Streams' GetRecords, so this one is direct — on the tables' key, Decrypt only.
        function.role.add_to_policy(
            iam.PolicyStatement(actions=["kms:Decrypt"], resources=[data.key(TABLE_ENCRYPTION_KEY).key_arn])
        )
        lambda_.EventSourceMapping(
            self,
            f"{function.spec.name}Stream",
            target=function.function,
            event_source_arn=table.table_stream_arn,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=100,
            bisect_batch_on_error=True,
            retry_attempts=5,
            report_batch_item_failures=True,
            on_failure=sources.SqsDlq(self.failures),
            filters=[lambda_.FilterCriteria.filter(TTL_REMOVALS)],
        )

    @property
    def function_specs(self) -> tuple[FunctionSpec, ...]:
        return self.specs
