"""What the OpenAPI document groups and names: the tags of both apps, once.

A generated client names its modules after the tags and its functions after the operation ids, so
both are part of the API: every route gives a short camelCase `operation_id` that never changes and
one of these tags (tests/unit/test_openapi_document.py walks the merged document for both).
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from policybound.obligations import BREACH_NOTICE_DEADLINE, RIGHTS_REQUEST_DUE_DAYS, whole_hours

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.models import Tag as OpenAPITag

# Both apps' documents carry it: a generated client's version.
API_VERSION = "1.0.0"


class Tag(StrEnum):
    POLICY = "Policy"
    FORMS = "Forms"
    RESOURCES = "Resources"
    COOKIES = "Cookies"
    RIGHTS = "Rights"
    UNSUBSCRIBE = "Unsubscribe"
    STAFF_SESSION = "Staff session"
    STAFF_RECORDS = "Staff records"
    STAFF_INQUIRIES = "Staff inquiries"
    STAFF_LETTERS = "Staff letters"
    STAFF_LEDGER = "Staff ledger"
    STAFF_EVIDENCE = "Staff evidence"
    STAFF_ACCESS_RIGHTS = "Staff access rights"
    STAFF_INCIDENTS = "Staff incidents"
    STAFF_LEGAL_HOLDS = "Staff legal holds"
    STAFF_RIGHTS_REQUESTS = "Staff rights requests"
    STAFF_DISCLOSURES = "Staff disclosures"


_BREACH_HOURS = whole_hours(BREACH_NOTICE_DEADLINE)
_DESCRIPTIONS: dict[Tag, str] = {
    Tag.POLICY: "The privacy policy in force, in English or Korean (the source of every label a page shows).",
    Tag.FORMS: "The website's three forms (§1.1): validated, checked against consent, sealed and stored.",
    Tag.RESOURCES: "The downloadable resources a resources-download form may request.",
    Tag.COOKIES: "The cookie banner's choice (§7) and the visits an analytics consent allows (§1.2).",
    Tag.RIGHTS: "A data subject views, corrects and erases their records after proving the address (§6).",
    Tag.UNSUBSCRIBE: "The blog letter's one-click unsubscribe link (§4).",
    Tag.STAFF_SESSION: "Who the signed-in staff member is and what their groups allow.",
    Tag.STAFF_RECORDS: "Purpose-limited reads of submissions; each read writes an access record first.",
    Tag.STAFF_INQUIRIES: "Contact-us inquiries and the replies to them.",
    Tag.STAFF_LETTERS: "Letters to the marketing audience, each with a per-recipient unsubscribe link.",
    Tag.STAFF_LEDGER: "The tamper-evident ledger, its verification and the monthly access review.",
    Tag.STAFF_EVIDENCE: "For auditors: reconciliation of collected and destroyed records, destruction reports.",
    Tag.STAFF_ACCESS_RIGHTS: "Granting and revoking staff groups, each change recorded.",
    Tag.STAFF_INCIDENTS: f"Breach response (§8): involved subjects, the {_BREACH_HOURS}-hour clock, notices.",
    Tag.STAFF_LEGAL_HOLDS: "Records kept past their retention because a law requires it.",
    Tag.STAFF_RIGHTS_REQUESTS: (
        f"Rights requests received in writing, by phone or by email, due in {RIGHTS_REQUEST_DUE_DAYS} days."
    ),
    Tag.STAFF_DISCLOSURES: "Provision to third parties on a basis §3 names.",
}


def openapi_tags(tags: tuple[Tag, ...] = tuple(Tag)) -> list[OpenAPITag | str]:
    """The document's tag list with descriptions, in the order a reader meets them."""
    # Powertools' OpenAPI models take ~60 ms to import: only a request for the document pays for them.
    from aws_lambda_powertools.event_handler.openapi.models import Tag as OpenAPITag

    return [OpenAPITag(name=tag.value, description=_DESCRIPTIONS[tag]) for tag in tags]


STAFF_TAGS: tuple[Tag, ...] = tuple(tag for tag in Tag if tag.value.startswith("Staff "))
PUBLIC_TAGS: tuple[Tag, ...] = tuple(tag for tag in Tag if tag not in STAFF_TAGS)


_ERROR_SCHEMA = "#/components/schemas/ErrorOut"
_FRAMEWORK_ERROR = "#/components/schemas/HTTPValidationError"


def named_shapes(document: str) -> str:
    """The document with each shape of a one-of body (`domain.core.shapes`) moved to the components under
    its title and referred to there: openapi-python-client names an object property inside an inline
    oneOf member twice and drops it, while a named component is one model."""
    parsed: dict[str, Any] = json.loads(document)
    schemas: dict[str, Any] = parsed.get("components", {}).get("schemas", {})
    for schema in list(schemas.values()):
        for index, shape in enumerate(schema.get("oneOf", [])):
            title = shape.get("title") if isinstance(shape, dict) and shape.get("type") == "object" else None
            if title is None:
                continue
            if title in schemas:
                raise ValueError(f"two schemas are named {title}")
            schemas[title] = shape
            schema["oneOf"][index] = {"$ref": f"#/components/schemas/{title}"}
    return json.dumps(parsed)


def in_one_error_shape(document: str) -> str:
    """The document with Powertools' default 422 answer (FastAPI's `HTTPValidationError`, which this API
    never sends) replaced by the one error shape, or left out where an operation takes no input; and
    without the body Powertools documents for a 204."""
    parsed: dict[str, Any] = json.loads(document)
    for path_item in parsed.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.get("responses", {})
            # A 204 has no body (RFC 9110 §15.3.5), whatever the route function's return annotation says.
            if isinstance(responses.get("204"), dict):
                responses["204"].pop("content", None)
            if _FRAMEWORK_ERROR not in json.dumps(responses.get("422", {})):
                continue
            if operation.get("parameters") or operation.get("requestBody"):
                responses["422"] = {
                    "description": "validation_failed",
                    "content": {"application/json": {"schema": {"$ref": _ERROR_SCHEMA}}},
                }
            else:
                del responses["422"]
    # Drop the framework's schemas nothing refers to any more (ValidationError may still serve others).
    schemas = parsed.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        if name in schemas and f"#/components/schemas/{name}" not in json.dumps(parsed):
            del schemas[name]
    return json.dumps(parsed)


def with_policy_version_examples(document: str, version: str) -> str:
    """The document with every example of a consent's `policy_version` naming `version`, the one in force
    when the document is generated: the models declare theirs at import, when a later version may not have
    taken effect yet, and an example naming an old version would be refused (409)."""
    parsed: dict[str, Any] = json.loads(document)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "policy_version" and isinstance(value, str):
                    node[key] = version  # inside an example body
                elif key == "policy_version" and isinstance(value, dict) and "examples" in value:
                    value["examples"] = [version]  # a property's schema
                walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(parsed)
    return json.dumps(parsed)
