"""POST /v1/forms/{form}: the three forms of §1.1, one route each so each has its own schema.

What a form collects is the policy version's data, and the version in force changes by the clock: the
route reads its body against the model of that version (`IntakeService.read`), and the OpenAPI document,
made when it is asked for, documents the form as the version then in force states it (`document_forms`).
"""

import hashlib
import json
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import BaseModel

from policybound.api.dependencies import Idempotency, idempotency, intake_service
from policybound.api.http import json_body_guard, json_response
from policybound.api.openapi import Tag
from policybound.api.schemas import ReceiptOut, error_responses, ok
from policybound.domain.core.forms import present_items, submission_model
from policybound.domain.core.model import Representative, RequestOrigin
from policybound.domain.intake.service import ConsentGiven, IntakeService
from policybound.policy import FORMS, FormId, FormPolicy, forms_of

router = APIGatewayRouter()
logger = Logger(child=True)

_ERRORS = error_responses(
    {
        400: "invalid_json",
        404: "not_found",
        409: "policy_version_outdated",
        413: "payload_too_large",
        415: "unsupported_media_type",
        422: "validation_failed or required_consent_withheld",
        429: "rate_limited (a child's submission: too many consent codes this hour; nothing stored)",
        503: "unavailable (retry after Retry-After seconds)",
    }
)


def _origin() -> RequestOrigin:
    event = router.current_event
    return RequestOrigin(
        source_ip=event.request_context.identity.source_ip,
        user_agent=event.request_context.identity.user_agent,
    )


def _fingerprint(body: BaseModel) -> str:
    # Identifies the request for idempotency without storing it: a hash, never the values.
    return hashlib.sha256(json.dumps(body.model_dump(), sort_keys=True).encode()).hexdigest()


def operation_id(form: FormId) -> str:
    """`submitContactUs`, `submitResourcesDownload`, `submitBlogSubscription`: what a generated client
    names each form's call."""
    return "submit" + "".join(part.capitalize() for part in form.value.split("-"))


def path(form: FormId) -> str:
    return f"/v1/forms/{form.value}"


def description(policy: FormPolicy) -> str:
    return (
        f"Required items: {', '.join(policy.required_items)}. "
        f"Optional items (kept only with optional consent): {', '.join(policy.optional_items) or 'none'}. "
        f"Purposes: {', '.join(p.value for p in policy.purposes)}. Retained {policy.retention_months} months."
        + (
            " Email marketing only with `consent.marketing: true`; the receipt's `purposes` says which."
            if policy.marketing_consent
            else ""
        )
    )


def document_forms(document: dict[str, Any], version: str) -> None:
    """Each form's operation in `document` as `version` states the form: its body's schema (with the
    models it refers to) and its description."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for form in FormId:
        model = submission_model(form, version)
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        operation = document["paths"][path(form)]["post"]
        operation["requestBody"]["content"]["application/json"]["schema"] = {
            "$ref": f"#/components/schemas/{model.__name__}"
        }
        operation["description"] = description(forms_of(version)[form])


def _register(form: FormId) -> None:
    policy = FORMS[form]

    def submit(
        # Any JSON object here; its shape is the version's, checked by `intake.read` (see the module's doc).
        body: Annotated[dict[str, Any], Body()],
        intake: Annotated[IntakeService, Depends(intake_service)],
        once: Annotated[Idempotency, Depends(idempotency)],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=255)] = None,
    ) -> Response[ReceiptOut]:
        submission: Any = intake.read(form, body)
        consent = ConsentGiven(
            required=submission.consent.required,
            optional=submission.consent.optional,
            policy_version=submission.consent.policy_version,
            under_14=submission.consent.under_14,
            marketing=getattr(submission.consent, "marketing", False),
        )
        guardian = submission.legal_representative
        representative = Representative(guardian.name, guardian.email, guardian.contact) if guardian else None

        def accept() -> dict[str, Any]:
            receipt = intake.submit(policy, present_items(submission.fields), consent, _origin(), representative)
            logger.info(
                "submission stored",
                extra={
                    "submission_id": receipt.submission_id,
                    "form": receipt.form.value,
                    "items_dropped": len(receipt.items_dropped),
                },
            )
            return ReceiptOut.of(receipt).model_dump()

        if idempotency_key:
            result = once.run(f"{form.value}:{idempotency_key}", _fingerprint(submission), accept)
        else:
            result = accept()
        return json_response(201, ReceiptOut.model_validate(result))

    submit.__name__ = f"submit_{form.name.lower()}"
    router.post(
        path(form),
        summary=f"Submit the {policy.title.en} form",
        description=description(policy),
        operation_id=operation_id(form),
        tags=[Tag.FORMS],
        middlewares=[json_body_guard],
        responses=ok(201, ReceiptOut, "Stored") | _ERRORS,
    )(submit)


for _form in FormId:
    _register(_form)
