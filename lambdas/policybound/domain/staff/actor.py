"""Staff as the domain sees them: who acts, from where, and whether they are the PI manager."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The Cognito groups of the staff user pool; a user's roles are the groups they belong to.

    Defined once, here (pure Python): the staff API checks them (`api.staff.auth` re-exports this) and
    the stacks create one user-pool group per member.
    """

    PI_MANAGER = "pi_manager"
    STAFF = "staff"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Actor:
    """A signed-in member of staff. Ids and the sign-in name only: the evidence of who did what."""

    user_id: str
    username: str
    source_ip: str | None
    # The PI manager sees what other staff may not (records awaiting a legal representative).
    manager: bool = False


# The staff user pool's groups, by name.
STAFF_GROUPS: tuple[str, ...] = tuple(role.value for role in Role)
