"""GET /v1/resources: the downloadable resources (policybound.catalogue), for the download form."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from policybound.api.openapi import Tag
from policybound.api.schemas import ok
from policybound.catalogue import RESOURCES
from policybound.domain.core.lazy_model import LazyModel

router = APIGatewayRouter()


class TitleOut(LazyModel):
    en: str
    ko: str


class ResourceOut(LazyModel):
    resource_id: str
    title: TitleOut
    file_name: str
    content_type: str


class ResourcesOut(LazyModel):
    resources: list[ResourceOut]


@router.get(
    "/v1/resources",
    summary="The downloadable resources",
    description=(
        "Every resource a resources-download form may request, with its title in English and Korean. An accepted "
        "request is answered by mail with a link to the file that works for one hour; an id not listed here is "
        "refused (422 validation_failed)."
    ),
    operation_id="listResources",
    tags=[Tag.RESOURCES],
    responses=ok(200, ResourcesOut, "The catalogue"),
)
def list_resources() -> ResourcesOut:
    return ResourcesOut(
        resources=[
            ResourceOut(
                resource_id=r.resource_id,
                title=TitleOut(en=r.title.en, ko=r.title.ko),
                file_name=r.file_name,
                content_type=r.content_type,
            )
            for r in RESOURCES
        ]
    )
