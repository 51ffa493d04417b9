"""CloudTrail events about Policybound's PI: who touched the PI tables and the KMS keys, and which
deletions DynamoDB made itself (TTL) rather than a person or the application.

Actors are classed from the event's `userIdentity`: an AWS service (DynamoDB's own TTL deletions come
as the service `dynamodb.amazonaws.com`), the application (a Lambda function's role), or a person (an
IAM user, the root user, or a role assumed by someone — SSO, console, CLI).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from policybound import tables
from tools.audit.sources import TrailSource, is_digest, uncompressed

PI_TABLE_IDS = tuple(spec.logical_id.lower() for spec in tables.TABLES if spec.holds_pi)
DELETIONS = frozenset({"DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement", "DeleteTable"})


@dataclass(frozen=True)
class TrailEvent:
    time: str
    actor: str
    actor_kind: str
    source: str
    action: str
    resource: str
    source_ip: str
    read_only: bool | None
    error: str


def events(source: TrailSource) -> Iterator[dict[str, Any]]:
    for key in source.object_keys():
        if is_digest(key):
            continue
        data = source.read(key)
        if data is None:
            continue
        yield from json.loads(uncompressed(data)).get("Records", [])


def actor_kind(record: dict[str, Any], app_role_marker: str = "policybound") -> str:
    identity = record.get("userIdentity") or {}
    kind = identity.get("type", "")
    if kind in ("AWSService", "Service") or identity.get("invokedBy", "").endswith(".amazonaws.com"):
        principal = identity.get("principalId") or identity.get("invokedBy") or ""
        if "dynamodb.amazonaws.com" in principal and record.get("eventName") in DELETIONS:
            return "ttl"
        return "aws-service"
    if kind == "AssumedRole":
        issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {}).get("userName", "")
        agent = record.get("userAgent", "")
        if "AWS_Lambda" in agent or (app_role_marker and app_role_marker.lower() in issuer.lower()):
            return "application"
        return "person"
    if kind in ("IAMUser", "Root", "FederatedUser", "IdentityCenterUser"):
        return "person"
    return kind.lower() or "unknown"


def actor_name(record: dict[str, Any]) -> str:
    identity = record.get("userIdentity") or {}
    return str(
        identity.get("arn") or identity.get("principalId") or identity.get("invokedBy") or identity.get("type") or "?"
    )


def _resources(record: dict[str, Any]) -> list[str]:
    arns = [str(r.get("ARN") or r.get("arn") or "") for r in record.get("resources") or []]
    parameters = record.get("requestParameters") or {}
    for name in ("tableName", "keyId"):
        if parameters.get(name):
            arns.append(str(parameters[name]))
    for item in parameters.get("transactItems") or []:
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("tableName"):
                arns.append(str(operation["tableName"]))
    return [arn for arn in dict.fromkeys(arns) if arn]


def _is_pi_table(resource: str, tables_named: Iterable[str]) -> bool:
    name = resource.rsplit("/", 1)[-1] if ":table/" in resource else resource
    named = list(tables_named)
    if named:
        return name in named
    return any(logical in name.lower() for logical in PI_TABLE_IDS)


def _is_key(resource: str, keys_named: Iterable[str]) -> bool:
    named = list(keys_named)
    if named:
        return any(key in resource for key in named)
    return ":key/" in resource or resource.startswith("alias/policybound")


def _event(record: dict[str, Any], resource: str, app_role_marker: str) -> TrailEvent:
    return TrailEvent(
        time=str(record.get("eventTime", "")),
        actor=actor_name(record),
        actor_kind=actor_kind(record, app_role_marker),
        source=str(record.get("eventSource", "")),
        action=str(record.get("eventName", "")),
        resource=resource,
        source_ip=str(record.get("sourceIPAddress", "")),
        read_only=record.get("readOnly"),
        error=str(record.get("errorCode", "")),
    )


def pi_access(
    records: Iterable[dict[str, Any]],
    tables_named: Iterable[str] = (),
    keys_named: Iterable[str] = (),
    app_role_marker: str = "policybound",
) -> list[TrailEvent]:
    """Every event on a PI table or a KMS key, oldest first."""
    found: list[TrailEvent] = []
    tables_named, keys_named = list(tables_named), list(keys_named)
    for record in records:
        source = record.get("eventSource")
        for resource in _resources(record):
            if (source == "dynamodb.amazonaws.com" and _is_pi_table(resource, tables_named)) or (
                source == "kms.amazonaws.com" and _is_key(resource, keys_named)
            ):
                found.append(_event(record, resource, app_role_marker))
                break
    return sorted(found, key=lambda e: e.time)


def deletions(events_found: Iterable[TrailEvent]) -> list[TrailEvent]:
    return [e for e in events_found if e.source == "dynamodb.amazonaws.com" and e.action in DELETIONS]


def summary(events_found: Iterable[TrailEvent]) -> list[dict[str, Any]]:
    """Counts per actor, kind and action: the first thing an auditor reads."""
    counts: dict[tuple[str, str, str], int] = {}
    for event in events_found:
        key = (event.actor_kind, event.actor, event.action)
        counts[key] = counts.get(key, 0) + 1
    return [
        {"actor_kind": kind, "actor": actor, "action": action, "events": count}
        for (kind, actor, action), count in sorted(counts.items())
    ]
