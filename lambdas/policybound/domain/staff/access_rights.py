"""Access rights of staff (§8.2): every grant, change and revocation of a staff group, made in the
user pool and recorded in the ACCESS_RIGHTS ledger, kept three years (PIPA safety standard art. 5(3)).

A change is made in the user pool first and then recorded; if the record cannot be written the change
is undone, so no access exists that the ledger does not show. A change that takes a group away ends
the member's sessions at once: their refresh tokens are revoked (global sign-out) and every session
they began is refused from then on, so no token issued before the change still works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from policybound.domain.core.clock import Clock
from policybound.domain.core.errors import DomainError, FieldProblem, Forbidden, NotFound, ValidationFailed
from policybound.domain.core.ledger import LedgerDraft, LedgerKind
from policybound.domain.core.ports import LedgerStore
from policybound.domain.staff.access_records import retain_until
from policybound.domain.staff.actor import STAFF_GROUPS, Actor
from policybound.domain.staff.ports import StaffDirectory, StaffUser
from policybound.domain.staff.sessions import StaffSessions
from policybound.obligations import ACCESS_RIGHTS_RETENTION

# The approval behind a change (a ticket or document number), never free text that could hold PI.
REFERENCE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


class RightsChange(StrEnum):
    GRANT = "grant"
    REVOKE = "revoke"
    CHANGE = "change"


def _check_groups(groups: Iterable[str], field: str) -> frozenset[str]:
    chosen = frozenset(groups)
    unknown = sorted(chosen - set(STAFF_GROUPS))
    if unknown:
        raise ValidationFailed(
            f"Unknown staff group: {', '.join(unknown)}. The groups are {', '.join(STAFF_GROUPS)}.",
            (FieldProblem(field, f"must be one of {', '.join(STAFF_GROUPS)}"),),
        )
    return chosen


def _check_reference(reference: str) -> str:
    if not REFERENCE_PATTERN.match(reference):
        raise ValidationFailed(
            "Give the approval's reference (letters, digits, '.', '_', '/', '-'; up to 64).",
            (FieldProblem("reference", "must be a ticket or document reference"),),
        )
    return reference


@dataclass(eq=False, repr=False)
class AccessRights:
    """Grants, changes and revokes staff groups, each change recorded in the ledger."""

    directory: StaffDirectory
    ledger: LedgerStore
    clock: Clock
    sessions: StaffSessions

    def users(self) -> list[StaffUser]:
        return sorted(self.directory.users(), key=lambda user: user.username)

    def grant(self, actor: Actor, username: str, group: str, reference: str) -> StaffUser:
        user = self._target(actor, username)
        (chosen,) = _check_groups([group], "group")
        return self._apply(actor, user, user.groups | {chosen}, RightsChange.GRANT, _check_reference(reference))

    def revoke(self, actor: Actor, username: str, group: str, reference: str) -> StaffUser:
        user = self._target(actor, username)
        (chosen,) = _check_groups([group], "path.group")
        return self._apply(actor, user, user.groups - {chosen}, RightsChange.REVOKE, _check_reference(reference))

    def change(self, actor: Actor, username: str, groups: Iterable[str], reference: str) -> StaffUser:
        user = self._target(actor, username)
        wanted = _check_groups(groups, "groups")
        return self._apply(actor, user, wanted, RightsChange.CHANGE, _check_reference(reference))

    def _target(self, actor: Actor, username: str) -> StaffUser:
        user = self.directory.user(username)
        if user is None:
            raise NotFound("No staff account has this user name.")
        if user.user_id == actor.user_id:
            # Separation of duties: another PI manager grants or revokes a manager's own access.
            raise Forbidden("You cannot change your own access rights; ask another PI manager.")
        return user

    def _apply(
        self, actor: Actor, user: StaffUser, wanted: frozenset[str], kind: RightsChange, reference: str
    ) -> StaffUser:
        added, removed = sorted(wanted - user.groups), sorted(user.groups - wanted)
        if not added and not removed:
            return user
        done: list[tuple[str, str]] = []
        try:
            for group in added:
                self.directory.add_to_group(user.username, group)
                done.append(("added", group))
            for group in removed:
                self.directory.remove_from_group(user.username, group)
                done.append(("removed", group))
            now = self.clock.now()
            self.ledger.append(
                LedgerDraft(
                    kind=LedgerKind.ACCESS_RIGHTS,
                    at=now,
                    payload={
                        "action": kind.value,
                        "user_id": user.user_id,
                        "username": user.username,
                        "added": added,
                        "removed": removed,
                        "groups_before": sorted(user.groups),
                        "groups_after": sorted(wanted),
                        "by_user_id": actor.user_id,
                        "by_username": actor.username,
                        "source_ip": actor.source_ip,
                        "reference": reference,
                        "retain_until": retain_until(now, ACCESS_RIGHTS_RETENTION),
                    },
                )
            )
        except DomainError:
            self._undo(user.username, done)
            raise
        if removed:
            # Sessions end first: that alone refuses every existing token at once.
            self.sessions.end_all(user.user_id)
            self.directory.sign_out(user.username)
        return StaffUser(user.user_id, user.username, wanted, user.enabled, user.created_at)

    def _undo(self, username: str, done: list[tuple[str, str]]) -> None:
        for step, group in reversed(done):
            try:
                if step == "added":
                    self.directory.remove_from_group(username, group)
                else:
                    self.directory.add_to_group(username, group)
            except DomainError:
                continue
