"""The one declaration of every table, index and KMS key.

The CDK stacks, local mode's provisioning and the tests all build from these specs, so the schema
exists once. Store adapters read attribute names from here rather than spelling them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from policybound.obligations import (
    CODE_VALID_FOR,
    GUARDIAN_WINDOW,
    RIGHTS_SESSION_VALID_FOR,
    STAFF_SESSION_LIMIT,
    whole_hours,
    whole_minutes,
)
from policybound.policy import RETENTION_MONTHS

AttributeType = Literal["S", "N", "B"]


@dataclass(frozen=True)
class Attribute:
    name: str
    type: AttributeType


@dataclass(frozen=True)
class Index:
    name: str
    partition: Attribute
    sort: Attribute | None = None
    # KEYS_ONLY keeps PI out of indexes; the sweeper and lookups fetch what else they need.
    projection: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = "KEYS_ONLY"
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    logical_id: str
    # Environment variable through which a function learns the deployed table's name.
    env_var: str
    partition: Attribute
    sort: Attribute | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    # A spec states only where its table differs: backed up, and without personal information.
    point_in_time_recovery: bool = True
    holds_pi: bool = False
    stream: Literal["OLD_IMAGE", "NEW_AND_OLD_IMAGES"] | None = None
    purpose: str = ""
    # Required when point_in_time_recovery is False: why the table must not (or need not) be backed up.
    # The stacks publish it as the cdk-nag acknowledgment; synth fails without it.
    no_backup_reason: str = ""


# Point-in-time recovery keeps every restorable state of a table this many days (35 is DynamoDB's
# maximum): a record deleted today can come back from a restore until then — unreadable, as its key
# is gone. The stacks set it; the destruction report says when the last such copy expires.
PITR_RECOVERY_DAYS = 35

# Records: one item per submission. PI lives only in the sealed blob; everything in clear is metadata.
RECORD_TTL_ATTRIBUTE = "expires_at"
RECORD_EXPIRY_SHARDS = 16
# A set of legal hold ids (no PI); while it exists the record is out of the expiry index and has no TTL.
RECORD_HOLDS_ATTRIBUTE = "legal_holds"
# The ids of the open rectification requests that restrict the record (§6); gone when none is open.
RECORD_OPEN_CORRECTIONS_ATTRIBUTE = "open_corrections"
RECORD_ID = Attribute("submission_id", "S")
RECORD_RECEIVED_AT = Attribute("received_at", "S")
# The end of retention in epoch seconds, and the record's shard of the expiry index.
RECORD_RETAINED_UNTIL = Attribute("retained_until", "N")
RECORD_EXPIRY_SHARD = Attribute("expiry_shard", "S")

# Sweeper: per shard, every record whose retention ended. Sparse: a held record has no shard.
RECORDS_BY_EXPIRY = Index("by_expiry", RECORD_EXPIRY_SHARD, RECORD_RETAINED_UNTIL)
# Rights and staff lookups by the keyed blind index of the email address.
RECORDS_BY_SUBJECT = Index("by_subject", Attribute("subject", "S"), RECORD_RECEIVED_AT)
# Staff listings per form, newest first; with the hold ids, so that the auditors' census of every record
# (kept, and held or not) reads this index alone.
RECORDS_BY_FORM = Index(
    "by_form",
    Attribute("form", "S"),
    RECORD_RECEIVED_AT,
    projection="INCLUDE",
    non_key_attributes=(RECORD_HOLDS_ATTRIBUTE,),
)
# A legal representative's lookups (§6): the blind index of their address on a child's record.
# Sparse: only records of children under 14 carry it.
RECORDS_BY_GUARDIAN = Index("by_guardian", Attribute("guardian", "S"), RECORD_RECEIVED_AT)

RECORDS = TableSpec(
    logical_id="Records",
    env_var="RECORDS_TABLE",
    partition=RECORD_ID,
    indexes=(RECORDS_BY_EXPIRY, RECORDS_BY_SUBJECT, RECORDS_BY_FORM, RECORDS_BY_GUARDIAN),
    ttl_attribute=RECORD_TTL_ATTRIBUTE,
    holds_pi=True,
    stream="OLD_IMAGE",
    purpose="Form submissions (sealed personal information and proof of consent)",
)

# Keys: one wrapped data key per record, kept apart from the data and never backed up, so deleting
# it makes every copy of the record (including point-in-time backups) unreadable.
KEYS = TableSpec(
    logical_id="RecordKeys",
    env_var="KEYS_TABLE",
    partition=Attribute("submission_id", "S"),
    point_in_time_recovery=False,
    holds_pi=True,
    purpose="Per-record data keys (crypto-shredding)",
    no_backup_reason=(
        "Crypto-shredding: deleting a record's data key must make every copy of the record unreadable, "
        "including the records table's point-in-time backups (policy §4, §9.2); a backup of the keys "
        "would undo that."
    ),
)

# Ledger: append-only, hash-chained evidence (destruction, access, consent ...) holding no PI.
# One partition per chain; submissions' consent entries wait unsealed in a partition of their own until
# the sealing job chains them (the only ledger items anything deletes, and IAM says so).
LEDGER_PENDING_CONSENT_CHAIN = "consent_pending"
LEDGER = TableSpec(
    logical_id="Ledger",
    env_var="LEDGER_TABLE",
    partition=Attribute("chain", "S"),
    sort=Attribute("seq", "N"),
    purpose="Audit ledger without personal information",
)

# Idempotency: Powertools' persistence layer; its items expire after an hour.
IDEMPOTENCY = TableSpec(
    logical_id="Idempotency",
    env_var="IDEMPOTENCY_TABLE",
    partition=Attribute("id", "S"),
    ttl_attribute="expiration",
    point_in_time_recovery=False,
    purpose="Idempotency receipts (no personal information)",
    no_backup_reason="Receipts live one hour and hold no PI; restoring them would only replay stale receipts.",
)

# Cookie consents (§7): the banner's choices. No personal information: an id, the choice, the
# categories, the policy version and the time. Kept 60 months, like the visits they may allow.
COOKIE_CONSENT_TTL_ATTRIBUTE = "expires_at"
COOKIE_CONSENTS = TableSpec(
    logical_id="CookieConsents",
    env_var="COOKIE_CONSENTS_TABLE",
    partition=Attribute("consent_id", "S"),
    ttl_attribute=COOKIE_CONSENT_TTL_ATTRIBUTE,
    purpose="Cookie consent choices (no personal information)",
)

# Visits (§1.2): time, page and IP of visitors whose cookie consent allows analytics, for 60 months.
# No backups: what is destroyed must not come back from a restore.
VISIT_TTL_ATTRIBUTE = "expires_at"
VISIT_EXPIRY_SHARDS = 16
# Withdrawing a cookie consent deletes every visit recorded under it (§7).
VISITS_BY_CONSENT = Index("by_consent", Attribute("consent_id", "S"), Attribute("visited_at", "S"))
# The hourly sweep: per shard, every visit whose retention ended (TTL is only a backstop).
VISITS_BY_EXPIRY = Index("by_expiry", Attribute("expiry_shard", "S"), Attribute(VISIT_TTL_ATTRIBUTE, "N"))
VISITS = TableSpec(
    logical_id="Visits",
    env_var="VISITS_TABLE",
    partition=Attribute("visit_id", "S"),
    indexes=(VISITS_BY_CONSENT, VISITS_BY_EXPIRY),
    ttl_attribute=VISIT_TTL_ATTRIBUTE,
    point_in_time_recovery=False,
    holds_pi=True,
    purpose="Visit records (time, page, IP address) with analytics consent",
    no_backup_reason=f"What TTL removes after {RETENTION_MONTHS} months must not come back from a restore (policy §4).",
)

# Data-subject rights (§6): one-time codes and sessions. Hashes and blind indexes only: a code is kept
# as a keyed hash, a session token as a hash of its 256 random bits. Items live minutes.
RIGHTS_VERIFICATION_TTL_ATTRIBUTE = "expires_at"
RIGHTS_VERIFICATIONS = TableSpec(
    logical_id="RightsVerifications",
    env_var="RIGHTS_VERIFICATIONS_TABLE",
    partition=Attribute("verification_key", "S"),
    ttl_attribute=RIGHTS_VERIFICATION_TTL_ATTRIBUTE,
    point_in_time_recovery=False,
    purpose="One-time codes and sessions of data-subject rights requests (hashes only)",
    no_backup_reason=(
        f"Codes live {whole_minutes(CODE_VALID_FOR)} minutes (a representative's {GUARDIAN_WINDOW.days} days) and "
        f"sessions {whole_minutes(RIGHTS_SESSION_VALID_FOR)} minutes; a restored code or session would only reopen "
        "what already expired."
    ),
)

# Rights requests received in writing, by phone or by email (§6): channel, kind, how identity was
# verified, due date and outcome, by id and blind index only. Kept 3 years (TTL).
RIGHTS_REQUEST_TTL_ATTRIBUTE = "expires_at"
# Open requests by due date (overdue first); the items hold no PI, so the index keeps them whole.
RIGHTS_REQUESTS_BY_STATUS = Index("by_status", Attribute("status", "S"), Attribute("due_on", "S"), projection="ALL")
RIGHTS_REQUESTS = TableSpec(
    logical_id="RightsRequests",
    env_var="RIGHTS_REQUESTS_TABLE",
    partition=Attribute("request_id", "S"),
    indexes=(RIGHTS_REQUESTS_BY_STATUS,),
    ttl_attribute=RIGHTS_REQUEST_TTL_ATTRIBUTE,
    purpose="Data-subject rights requests received by staff (ids and blind indexes, no PI)",
)

# Third-party provisions (§3): one item per record provided, with the recipient (name and contact
# address), the items, the legal basis and every correction notice sent since.
DISCLOSURE_TTL_ATTRIBUTE = "expires_at"
DISCLOSURES = TableSpec(
    logical_id="Disclosures",
    env_var="DISCLOSURES_TABLE",
    partition=Attribute("submission_id", "S"),
    sort=Attribute("disclosure_id", "S"),
    ttl_attribute=DISCLOSURE_TTL_ATTRIBUTE,
    holds_pi=True,
    purpose="Provisions of personal information to third parties (recipient contact, items, legal basis)",
)

# Legal holds (§4.2): one item per hold — case reference, reason, the held submission ids, who placed
# and released it, and when. Records are named by id only; a hold placed by email keeps no address.
LEGAL_HOLDS = TableSpec(
    logical_id="LegalHolds",
    env_var="LEGAL_HOLDS_TABLE",
    partition=Attribute("hold_id", "S"),
    purpose="Legal holds suspending destruction (case reference, reason, submission ids; no PI)",
)

# Staff sessions: last activity per signed-in session, so that idle sessions expire. A hash of
# the session's token ids and the staff user id; items end with the session (12 hours).
STAFF_SESSION_TTL_ATTRIBUTE = "expires_at"
STAFF_SESSIONS = TableSpec(
    logical_id="StaffSessions",
    env_var="STAFF_SESSIONS_TABLE",
    partition=Attribute("session_id", "S"),
    ttl_attribute=STAFF_SESSION_TTL_ATTRIBUTE,
    point_in_time_recovery=False,
    purpose="Last activity of staff sessions (idle timeout); no personal information of subjects",
    no_backup_reason=(
        f"Items live at most {whole_hours(STAFF_SESSION_LIMIT)} hours; a restored session would only reopen one "
        "that expired."
    ),
)

# Staff sign-in attempts: tries since the last successful sign-in, per typed user name (its hash; known
# or not), so repeated failures lock the account. Written by the Cognito pre- and post-authentication triggers.
STAFF_SIGN_IN_TTL_ATTRIBUTE = "expires_at"
STAFF_SIGN_INS = TableSpec(
    logical_id="StaffSignIns",
    env_var="STAFF_SIGN_INS_TABLE",
    partition=Attribute("username", "S"),
    ttl_attribute=STAFF_SIGN_IN_TTL_ATTRIBUTE,
    point_in_time_recovery=False,
    purpose="Failed staff sign-in counts (account lockout); no personal information of subjects",
    no_backup_reason="Counters live one day; restoring one would only re-lock or unlock an account wrongly.",
)

# Incidents (§8): a breach's case — category, times, involved submission ids, notices sent.
# Ids and counts only; the subjects are reached through their records, which hold the addresses.
INCIDENTS = TableSpec(
    logical_id="Incidents",
    env_var="INCIDENTS_TABLE",
    partition=Attribute("incident_id", "S"),
    purpose="Personal information breach cases and the notices sent (ids and counts, no PI)",
)

# Letters to the marketing audience (§2): subject, body (the company's text, no PI), who sent it, when,
# how many recipients, and the delivery counts. Kept like access records (2 years), as their evidence.
LETTER_TTL_ATTRIBUTE = "expires_at"
LETTERS = TableSpec(
    logical_id="Letters",
    env_var="LETTERS_TABLE",
    partition=Attribute("letter_id", "S"),
    ttl_attribute=LETTER_TTL_ATTRIBUTE,
    purpose="Letters sent to the marketing audience and their delivery counts (no personal information)",
)

# One item per (letter, record): the conditional write that makes sure nobody gets a letter twice, and
# its outcome. Ids, states and times only.
LETTER_DELIVERIES = TableSpec(
    logical_id="LetterDeliveries",
    env_var="LETTER_DELIVERIES_TABLE",
    partition=Attribute("letter_id", "S"),
    sort=Attribute("submission_id", "S"),
    ttl_attribute=LETTER_TTL_ATTRIBUTE,
    point_in_time_recovery=False,
    purpose="Per-recipient delivery state of letters (ids and states, no personal information)",
    no_backup_reason=(
        "A restored delivery state could only mark a sent mail unsent and send it twice; the letter's counts "
        "and the access record naming its recipients are the lasting evidence."
    ),
)

TABLES: tuple[TableSpec, ...] = (
    RECORDS,
    KEYS,
    LEDGER,
    IDEMPOTENCY,
    COOKIE_CONSENTS,
    VISITS,
    RIGHTS_VERIFICATIONS,
    RIGHTS_REQUESTS,
    DISCLOSURES,
    LEGAL_HOLDS,
    STAFF_SESSIONS,
    STAFF_SIGN_INS,
    INCIDENTS,
    LETTERS,
    LETTER_DELIVERIES,
)


@dataclass(frozen=True)
class BucketSpec:
    logical_id: str
    env_var: str
    purpose: str
    holds_pi: bool = False


# The downloadable resources' files (policybound.catalogue). Private: a file leaves only through a
# time-limited presigned link mailed after an accepted resources-download. No personal information.
RESOURCE_FILES = BucketSpec(
    logical_id="ResourceFiles",
    env_var="RESOURCES_BUCKET",
    purpose="Files of the downloadable resources (brochures, white papers); no personal information",
)

BUCKETS: tuple[BucketSpec, ...] = (RESOURCE_FILES,)


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    env_var: str
    purpose: str
    # How long a consumer has for one message before it is delivered again.
    visibility_timeout_seconds: int
    # Deliveries of a message before it moves to the queue's dead-letter queue.
    max_receive_count: int = 5


# Batches of a letter's recipients (ids only) waiting for the sender function.
LETTER_QUEUE = QueueSpec(
    logical_id="LetterQueue",
    env_var="LETTER_QUEUE_URL",
    purpose="Batches of letter recipients (submission ids, no personal information) for the sender",
    visibility_timeout_seconds=120,
)

QUEUES: tuple[QueueSpec, ...] = (LETTER_QUEUE,)


@dataclass(frozen=True)
class KmsKeySpec:
    logical_id: str
    alias: str
    env_var: str
    key_spec: Literal["SYMMETRIC_DEFAULT", "HMAC_256"]
    key_usage: Literal["ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC"]
    description: str
    # The encryption context every use of the key carries; the key policy and the functions' IAM
    # statements require it, so a ciphertext made for another purpose cannot be decrypted as this one.
    encryption_context: tuple[tuple[str, str], ...] = ()
    # Only the function roles named in the key policy may use the key (derived from the functions'
    # declared key access). False for the tables key, which DynamoDB uses on its callers' behalf.
    named_users_only: bool = True

    @property
    def rotates(self) -> bool:
        # KMS rotates symmetric encryption keys only; HMAC keys cannot rotate automatically.
        return self.key_spec == "SYMMETRIC_DEFAULT"


# Encrypts every table at rest. DynamoDB uses it on behalf of a function that may reach the table, and
# only through DynamoDB; it never wraps record keys, so using it reveals nothing sealed.
TABLES_KEY = KmsKeySpec(
    logical_id="TablesKey",
    alias="alias/policybound-tables",
    env_var="TABLES_KEY_ID",
    key_spec="SYMMETRIC_DEFAULT",
    key_usage="ENCRYPT_DECRYPT",
    description="Policybound: tables at rest",
    named_users_only=False,
)
# Wraps the in-memory key-encryption keys of the record sealer: whoever may decrypt with it can open
# every record, so its key policy names the only roles that may.
DATA_KEY = KmsKeySpec(
    logical_id="DataKey",
    alias="alias/policybound-data",
    env_var="DATA_KEY_ID",
    key_spec="SYMMETRIC_DEFAULT",
    key_usage="ENCRYPT_DECRYPT",
    description="Policybound: record key wrapping",
    encryption_context=(("purpose", "policybound-record-kek"),),
)
# Keyed blind index of email addresses; the HMAC key never leaves KMS.
BLIND_INDEX_KEY = KmsKeySpec(
    logical_id="BlindIndexKey",
    alias="alias/policybound-blind-index",
    env_var="BLIND_INDEX_KEY_ID",
    key_spec="HMAC_256",
    key_usage="GENERATE_VERIFY_MAC",
    description="Policybound: HMAC blind index of email addresses",
)

KMS_KEYS: tuple[KmsKeySpec, ...] = (TABLES_KEY, DATA_KEY, BLIND_INDEX_KEY)


def _key_schema(partition: Attribute, sort: Attribute | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.name, "KeyType": "HASH"}]
    if sort:
        schema.append({"AttributeName": sort.name, "KeyType": "RANGE"})
    return schema


def create_table_request(spec: TableSpec, table_name: str) -> dict[str, Any]:
    """The DynamoDB CreateTable request for a spec (local mode and tests; the stacks use CDK)."""
    attributes = {spec.partition}
    if spec.sort:
        attributes.add(spec.sort)
    for index in spec.indexes:
        attributes.add(index.partition)
        if index.sort:
            attributes.add(index.sort)
    request: dict[str, Any] = {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": _key_schema(spec.partition, spec.sort),
        "AttributeDefinitions": [
            {"AttributeName": a.name, "AttributeType": a.type} for a in sorted(attributes, key=lambda a: a.name)
        ],
    }
    if spec.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition, index.sort),
                "Projection": {"ProjectionType": index.projection}
                | ({"NonKeyAttributes": list(index.non_key_attributes)} if index.non_key_attributes else {}),
            }
            for index in spec.indexes
        ]
    if spec.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": spec.stream}
    return request


# How a stream record names DynamoDB's own TTL process as the one that removed an item: the TTL
# backstop's event filter (stacks) and its check of each record (adapters.streams) both read this.
TTL_REMOVAL_IDENTITY: dict[str, str] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}

# The CloudWatch namespace of the functions' EMF metrics, which the alarms read, and the metrics alarmed on
# that the entry points report.
METRICS_NAMESPACE = "Policybound"
SWEEP_INCOMPLETE_METRIC = "SweepIncomplete"
KEYS_SHREDDED_AFTER_TTL_METRIC = "KeysShreddedAfterTtl"
