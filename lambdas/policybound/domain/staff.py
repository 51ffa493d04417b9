"""Staff as the domain sees them: who acts, from where, and whether they are the PI manager."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A signed-in member of staff. Ids and the sign-in name only: the evidence of who did what."""

    user_id: str
    username: str
    source_ip: str | None
    # The PI manager sees what other staff may not (records awaiting a legal representative).
    manager: bool = False


# The staff user pool's groups; `api.staff.auth.Role` names the same three (a test holds them equal).
STAFF_GROUPS: tuple[str, ...] = ("pi_manager", "staff", "auditor")
