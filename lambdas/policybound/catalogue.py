"""The downloadable resources (§2: "provision of resource materials"), declared once.

The public API publishes this list (`GET /v1/resources`), the resources-download form accepts only
these ids, the delivery mail names their titles, and the stacks and local mode upload each one's file
to the resources bucket under its `object_key`.
"""

from __future__ import annotations

from dataclasses import dataclass

from policybound.policy import Text

# Where the files sit in the resources bucket.
RESOURCE_KEY_PREFIX = "resources/"


@dataclass(frozen=True)
class Resource:
    """A downloadable resource of the catalogue."""

    resource_id: str
    title: Text
    # The file in the resources bucket (and its name when downloaded).
    file_name: str
    content_type: str = "application/pdf"

    @property
    def object_key(self) -> str:
        return f"{RESOURCE_KEY_PREFIX}{self.file_name}"


RESOURCES: tuple[Resource, ...] = (
    Resource(
        "cloud-whitepaper-2019",
        Text("Cloud migration white paper (2019)", "클라우드 전환 백서 (2019)"),
        "cloud-migration-white-paper-2019.pdf",
    ),
    Resource("ai-brochure-2019", Text("AI solutions brochure", "AI 솔루션 브로슈어"), "ai-solutions-brochure.pdf"),
    Resource(
        "smart-factory-casebook",
        Text("Smart factory case book", "스마트 팩토리 사례집"),
        "smart-factory-case-book.pdf",
    ),
)

_BY_ID = {resource.resource_id: resource for resource in RESOURCES}


def resource(resource_id: str) -> Resource | None:
    return _BY_ID.get(resource_id)
