"""What staff access needs from the outside world (the record ports live in `ports`). Adapters
implement these against DynamoDB and Cognito; unit tests use `tests/support/staff_fakes.py`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from policybound.domain.core.ledger import ChainHead, LedgerEntry, LedgerKind
from policybound.policy import FormId


@dataclass(frozen=True)
class IndexPosition:
    """A place in one form's listing (newest first): the last entry a page returned."""

    received_at: str
    submission_id: str


class FormIndex(Protocol):
    def newest(self, form: FormId, limit: int, after: IndexPosition | None) -> list[IndexPosition]:
        """Up to `limit` submissions of a form, newest first, after `after` (through the by_form index)."""
        ...


class LedgerReader(Protocol):
    def head(self, kind: LedgerKind) -> ChainHead | None: ...

    def entries(self, kind: LedgerKind, after_seq: int = 0, limit: int = 100) -> list[LedgerEntry]: ...


@dataclass(frozen=True)
class StaffUser:
    """A staff account in the user pool, with its staff groups."""

    user_id: str
    username: str
    groups: frozenset[str]
    enabled: bool = True
    created_at: datetime | None = None


class StaffDirectory(Protocol):
    """The staff user pool (Cognito): who has which group."""

    def user(self, username: str) -> StaffUser | None: ...

    def users(self) -> list[StaffUser]: ...

    def add_to_group(self, username: str, group: str) -> None: ...

    def remove_from_group(self, username: str, group: str) -> None: ...

    def sign_out(self, username: str) -> None:
        """Revoke the user's refresh tokens everywhere (Cognito global sign-out)."""
        ...
