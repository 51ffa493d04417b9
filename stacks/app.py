"""Composes the stacks: data, audit, API, alarms, site files — all in Seoul, all checked by cdk-nag on every
synth."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import App, Environment, Stack, Tags

from stacks.alarms_stack import AlarmsStack
from stacks.api_stack import ApiStack
from stacks.audit_stack import AuditStack
from stacks.data_stack import DataStack
from stacks.deployment import Deployment, deployment_from
from stacks.nag import add_rule_packs
from stacks.seoul import require_seoul
from stacks.site_hosting import SiteFilesStack

STACK_PREFIX = "Policybound"


@dataclass(frozen=True)
class PolicyboundApp:
    app: App
    deployment: Deployment
    data: DataStack
    audit: AuditStack
    api: ApiStack
    alarms: AlarmsStack
    site: SiteFilesStack

    @property
    def stacks(self) -> tuple[Stack, ...]:
        return (self.data, self.audit, self.api, self.alarms, self.site)


def build(app: App, *, account: str | None = None) -> PolicyboundApp:
    deployment = deployment_from(app.node)
    # The region is pinned, never taken from the caller's profile; the account may be (for deploys).
    env = Environment(account=account, region=deployment.region)
    data = DataStack(app, f"{STACK_PREFIX}Data", env=env, description="Policybound: PI tables and KMS keys (Seoul)")
    audit = AuditStack(
        app, f"{STACK_PREFIX}Audit", data=data, env=env, description="Policybound: CloudTrail audit trail (Seoul)"
    )
    api = ApiStack(
        app,
        f"{STACK_PREFIX}Api",
        data=data,
        deployment=deployment,
        env=env,
        description="Policybound: API, functions, WAF and staff sign-in (Seoul)",
    )
    alarms = AlarmsStack(
        app,
        f"{STACK_PREFIX}Alarms",
        data=data,
        api=api,
        audit=audit,
        deployment=deployment,
        env=env,
        description="Policybound: alarms for the Personal Information Manager (Seoul)",
    )
    site = SiteFilesStack(
        app,
        f"{STACK_PREFIX}Site",
        site=api.site,
        api_base=api.public_base_url,
        sign_in=api.sign_in,
        env=env,
        description="Policybound: the sample site's and staff console's files and config.js (Seoul bucket)",
    )
    built = PolicyboundApp(app, deployment, data, audit, api, alarms, site)
    for stack in built.stacks:
        require_seoul(stack.region)
        Tags.of(stack).add("policybound:system", "policybound")
    add_rule_packs(app)
    return built
