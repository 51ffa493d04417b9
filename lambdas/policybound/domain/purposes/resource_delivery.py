"""Providing resource materials (§2): an accepted resources-download is answered by mail with a
time-limited link to the requested file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from policybound.catalogue import Resource, resource
from policybound.domain.core.mail import resource_link
from policybound.domain.core.ports import Mailer

# A presigned link lives at most as long as the credentials that signed it; a Lambda function's role
# session lasts hours, not days. An hour is safely inside that, and long enough to open the mail.
LINK_VALID_FOR = timedelta(hours=1)


class ResourceLinks(Protocol):
    def link(self, resource: Resource, valid_for_seconds: int) -> str: ...


@dataclass(eq=False, repr=False)
class ResourceDelivery:
    """Mails the link to a requested resource."""

    links: ResourceLinks
    mailer: Mailer

    def deliver_requested(self, fields: Mapping[str, str]) -> bool:
        """Mail the link to the resource a record's kept items ask for; False when they ask for none."""
        if "resource_id" not in fields:
            return False
        self.deliver(fields["email"], fields.get("name", ""), fields["resource_id"])
        return True

    def deliver(self, to: str, name: str, resource_id: str) -> None:
        wanted = resource(resource_id)
        if wanted is None:  # the form's model accepts catalogue ids only
            raise ValueError("resource_id is not in the catalogue")
        url = self.links.link(wanted, int(LINK_VALID_FOR.total_seconds()))
        self.mailer.send(resource_link(to, name, wanted, url, LINK_VALID_FOR))
