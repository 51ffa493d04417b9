"""Visit records (§1.2: IP address, date and time of visit, service usage), only with analytics consent.

The server decides, not the page: a visit is stored only when the request names a cookie consent that
this server recorded, that is under the policy version in force, unexpired, and allows the analytics
category. A client that did not consent has no such id, so nothing about it is stored — whatever it
sends. A visit keeps the time, the page's path and the source network — the IP address with its host
part removed (IPv4 /24, IPv6 /48), enough to tell regions and networks apart for analytics, never the
address itself (an IP address is PI, §1.2) — for the policy's 60 months.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from pydantic import ConfigDict, Field, field_validator

from policybound.domain.cookies.consents import ANALYTICS, CONSENT_ID_PATTERN, CookieConsentStore
from policybound.domain.core import retention
from policybound.domain.core.clock import Clock
from policybound.domain.core.lazy_model import LazyModel
from policybound.domain.core.model import random_id

MAX_PAGE_LENGTH = 512
# A path only: a query string or fragment can carry secrets (an unsubscribe token, say) and is refused.
_PATH = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
_CONSENT_ID = re.compile(CONSENT_ID_PATTERN)


class VisitRequest(LazyModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    page: str = Field(
        min_length=1,
        max_length=MAX_PAGE_LENGTH,
        description="Path of the page visited, without query string or fragment",
        examples=["/contact-us.html"],
        json_schema_extra={"pattern": _PATH.pattern},
    )
    consent_id: str | None = Field(
        default=None,
        max_length=36,
        description="The consent_id of the visitor's cookie consent; without one that allows analytics nothing is kept",
        json_schema_extra={"pattern": _CONSENT_ID.pattern},
    )

    @field_validator("page")
    @classmethod
    def _path_only(cls, page: str) -> str:
        if not _PATH.match(page):
            raise ValueError("must be a URL path starting with '/', without query string or fragment")
        return page

    @field_validator("consent_id")
    @classmethod
    def _uuid(cls, consent_id: str | None) -> str | None:
        if consent_id is not None and not _CONSENT_ID.match(consent_id):
            raise ValueError("must be a consent_id returned by POST /v1/cookie-consents")
        return consent_id


IPV4_PREFIX, IPV6_PREFIX = 24, 48


def source_network(source_ip: str | None) -> str | None:
    """The network a visit came from (`203.0.113.0/24`), never the address; None for no or a bad address."""
    try:
        address = ipaddress.ip_address((source_ip or "").strip())
    except ValueError:
        return None
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@dataclass(frozen=True)
class Visit:
    """One page visit, kept under the cookie consent that allowed it."""

    visit_id: str
    page: str
    # The source network (see `source_network`), never the address.
    source_ip: str | None
    visited_at: datetime
    expires_at: datetime
    # The cookie consent it was recorded under: withdrawing that consent deletes the visit.
    consent_id: str


class VisitStore(Protocol):
    def put(self, visit: Visit) -> bool:
        """Store the visit if its consent still stands (not withdrawn, not deleted), in one write.
        False when it does not, and nothing was stored."""
        ...


class ExpiringVisits(Protocol):
    def due(self, shard: str, now_epoch: int, limit: int, after: str | None = None) -> tuple[list[str], str | None]:
        """Ids of visits in one expiry shard whose retention ended by `now_epoch`, oldest first, and where
        to resume (None when the shard has no more)."""
        ...

    def delete(self, visit_ids: list[str]) -> None: ...


@dataclass(eq=False, repr=False)
class VisitSweeper:
    """Destroys visits whose retention ended, within the hour, through the sparse expiry index; DynamoDB's
    TTL is only a backstop (it deletes "within a few days")."""

    visits: ExpiringVisits
    clock: Clock
    shards: tuple[str, ...]
    batch_size: int = 100

    def run(self, keep_going: Callable[[], bool] = lambda: True) -> tuple[int, bool]:
        """(visits destroyed, whether every shard was swept)."""
        now_epoch = retention.epoch_seconds(self.clock.now())
        destroyed = 0
        for shard in self.shards:
            after: str | None = None
            while True:
                if not keep_going():
                    return destroyed, False
                ids, after = self.visits.due(shard, now_epoch, self.batch_size, after)
                if ids:
                    self.visits.delete(ids)
                    destroyed += len(ids)
                if after is None:
                    break
        return destroyed, True


@dataclass(eq=False, repr=False)
class VisitService:
    """Records a visit when, and only when, the visitor's consent allows analytics."""

    consents: CookieConsentStore
    visits: VisitStore
    clock: Clock
    new_id: Callable[[], str] = random_id

    def record(self, request: VisitRequest, source_ip: str | None) -> Visit | None:
        """The stored visit, or None when analytics is not allowed and nothing was stored."""
        if request.consent_id is None:
            return None
        now = self.clock.now()
        consent = self.consents.get(request.consent_id)
        if consent is None or not consent.allows(ANALYTICS, now):
            return None
        visit = Visit(
            visit_id=self.new_id(),
            page=request.page,
            source_ip=source_network(source_ip),
            visited_at=now,
            expires_at=retention.retained_until(now),
            consent_id=consent.consent_id,
        )
        # The write checks the consent again: one withdrawn since it was read records nothing.
        return visit if self.visits.put(visit) else None
