"""The periods and limits the law and the policy bind the system to, each declared once.

The domain enforces them, the stacks size what AWS keeps from them, the API's descriptions and the
mails state them from here, and the tests read them too. The retention period of the records (§4's 60
months) is the policy's own fact, in `policybound.policy` (`RETENTION_MONTHS`).
"""

from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

# --- Evidence of staff access (PIPA safety standard) -------------------------------------------------

# Art. 8(1): access records are kept at least two years (ledger entries are never deleted; the date is
# written into each entry so that an auditor sees the promise per record).
ACCESS_RECORD_YEARS = 2
ACCESS_RECORD_RETENTION = relativedelta(years=ACCESS_RECORD_YEARS)
# Art. 5(3): granting, changing and revoking access rights is recorded and kept at least three years.
ACCESS_RIGHTS_YEARS = 3
ACCESS_RIGHTS_RETENTION = relativedelta(years=ACCESS_RIGHTS_YEARS)

# --- Data-subject rights (§6) ------------------------------------------------------------------------

# PIPA enforcement decree: a request is answered within 10 days of receipt.
RIGHTS_REQUEST_DUE_DAYS = 10
# Requests received by staff, and what was done about them, are kept three years.
RIGHTS_REQUEST_YEARS = 3
# A provision to a third party stays on record as long as the record lives, and at least as long as a
# rights request does, so that a subject or auditor can still see it after the record is gone.
PROVISION_RECORD_YEARS = RIGHTS_REQUEST_YEARS

# One-time codes: how long one is good for, how many guesses it takes, how many an address may ask for.
CODE_DIGITS = 6
CODE_VALID_FOR = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
CODE_WINDOW = timedelta(hours=1)
MAX_CODES_PER_WINDOW = 5
# All code mails together, per hour: far above any real use, far below what would flood mailboxes or
# hurt the sender's reputation.
MAX_CODE_MAILS_PER_HOUR = 1000
# A verified address's rights session.
RIGHTS_SESSION_VALID_FOR = timedelta(minutes=15)

# PIPA art. 22-2: a child's record waits this long for the legal representative's confirmation, then
# the ordinary sweep destroys it unconfirmed.
GUARDIAN_WINDOW = timedelta(days=7)

# --- Staff sessions and sign-in (PIPA safety standard art. 5, 6) --------------------------------------

# A staff session ends after this long without a successful request, and this long after sign-in.
STAFF_IDLE_LIMIT = timedelta(minutes=30)
STAFF_SESSION_LIMIT = timedelta(hours=12)
# Failed sign-ins before the account locks, and for how long.
MAX_FAILED_SIGN_INS = 5
SIGN_IN_LOCKOUT = timedelta(minutes=30)
PASSWORD_MAX_AGE = timedelta(days=90)

# --- Breaches (§8) -----------------------------------------------------------------------------------

# PIPA art. 34 and its decree: subjects are told without delay, within 72 hours of learning of it.
BREACH_NOTICE_DEADLINE = timedelta(hours=72)


def whole_minutes(period: timedelta) -> int:
    return int(period.total_seconds() // 60)


def whole_hours(period: timedelta) -> int:
    return int(period.total_seconds() // 3600)


def longest_days(years: int) -> int:
    """The most days `years` calendar years can span (each leap day included): a store that counts in
    days keeps at least `years` years whatever day it starts."""
    return 365 * years + -(-years // 4)
