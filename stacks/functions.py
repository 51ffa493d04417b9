"""Every Lambda function, declared once: its entry point, what it may touch, its size and its trigger.

The API stack builds a function, its IAM role (only the actions listed here), its log group and its
trigger from each spec. A spec whose entry module does not exist under lambdas/ stops the synth
(`require_entry_modules`): a deployment never goes out without one of its functions. To give a function
more access, change its spec here — the role is generated from it and the infra tests check that no role
gets more than its spec.

DynamoDB transactions have no IAM action of their own: `TransactWriteItems` is authorised per item by
the item's action (PutItem, DeleteItem, UpdateItem, ConditionCheckItem), which is why none is listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from policybound import tables
from policybound.api.paths import API_PREFIX, RIGHTS_PREFIX, STAFF_PREFIX
from policybound.catalogue import RESOURCES
from policybound.domain.core.mail import SENDER_CONCURRENCY

# FunctionSpec has a field named `tables`: inside its body the module's names need importing by name.
from policybound.tables import QueueSpec
from stacks.paths import LAMBDAS_DIR

PUBLIC_PATH = f"{API_PREFIX}/{{proxy+}}"
RIGHTS_PATH = f"{RIGHTS_PREFIX}/{{proxy+}}"
STAFF_PATH = f"{STAFF_PREFIX}/{{proxy+}}"

READ_ITEM = "dynamodb:GetItem"
# Up to 100 items by key in one call: the marketing audience's pages and a letter batch's records and keys.
READ_ITEMS = "dynamodb:BatchGetItem"
QUERY = "dynamodb:Query"
PUT_ITEM = "dynamodb:PutItem"
UPDATE_ITEM = "dynamodb:UpdateItem"
DELETE_ITEM = "dynamodb:DeleteItem"
CONDITION_CHECK = "dynamodb:ConditionCheckItem"


@dataclass(frozen=True)
class TableAccess:
    table: tables.TableSpec
    actions: tuple[str, ...]
    # Indexes the function queries (Query on an index needs the index's own ARN).
    indexes: tuple[str, ...] = ()
    # Only items under these partition keys (IAM `dynamodb:LeadingKeys`); empty means any item.
    leading_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeyAccess:
    key: tables.KmsKeySpec
    actions: tuple[str, ...]


@dataclass(frozen=True)
class BucketAccess:
    bucket: tables.BucketSpec
    actions: tuple[str, ...]
    # Exactly these objects' keys: no wildcard.
    objects: tuple[str, ...]


# Each trigger says how its function is invoked. Only a schedule invokes one asynchronously, so only a
# scheduled function has a dead-letter queue for failed invocations; every other trigger states why its
# function needs none (the cdk-nag acknowledgment, "{}" standing for the function's name).
_NEVER_RECEIVES = "a dead-letter queue for asynchronous invocations would never receive anything."
_SYNCHRONOUS_API = (
    "{} is invoked synchronously by API Gateway, which returns any error to the caller; " + _NEVER_RECEIVES
)


@dataclass(frozen=True)
class PublicRoutes:
    """API paths served without login (behind WAF and throttling)."""

    paths: tuple[str, ...]
    no_dead_letter_queue_because: ClassVar[str | None] = _SYNCHRONOUS_API


@dataclass(frozen=True)
class StaffRoutes:
    """API paths that require a Cognito user-pool token (staff groups are checked in the function)."""

    paths: tuple[str, ...]
    no_dead_letter_queue_because: ClassVar[str | None] = _SYNCHRONOUS_API


@dataclass(frozen=True)
class Schedule:
    """EventBridge schedule: the function runs every `minutes`, for the reason `why`."""

    minutes: int
    why: str
    # EventBridge invokes asynchronously: a run that keeps failing goes to the dead-letter queue.
    no_dead_letter_queue_because: ClassVar[str | None] = None


@dataclass(frozen=True)
class HourlySchedule(Schedule):
    """The sweeper destroys what is due within an hour (policy §4)."""

    minutes: int = 60
    why: str = "policy §4: destroyed without delay"


@dataclass(frozen=True)
class TableStream:
    """The function consumes a table's stream; only REMOVE events reach it."""

    table: tables.TableSpec
    no_dead_letter_queue_because: ClassVar[str | None] = (
        "{} reads a DynamoDB stream through an event source mapping, whose failed batches go to its on-failure "
        "queue; " + _NEVER_RECEIVES
    )


@dataclass(frozen=True)
class QueueMessages:
    """The function consumes a queue: batches of messages, failures reported per message."""

    queue: tables.QueueSpec
    batch_size: int
    # Concurrent invocations the event source may run at most (SQS's own limit, not reserved concurrency).
    max_concurrency: int
    no_dead_letter_queue_because: ClassVar[str | None] = (
        "{} consumes an SQS queue through an event source mapping; a message that keeps failing moves to the "
        "queue's own dead-letter queue, so " + _NEVER_RECEIVES
    )


@dataclass(frozen=True)
class StaffSignInTriggers:
    """Cognito invokes the function synchronously around each staff sign-in: PreAuthentication (a try
    claimed, or a locked account refused), PostAuthentication (tries given back, password age) and
    PostConfirmation (a reset password's date)."""

    no_dead_letter_queue_because: ClassVar[str | None] = (
        "{} is invoked synchronously by Cognito during sign-in, which refuses the sign-in on any error; "
        + _NEVER_RECEIVES
    )


Trigger = PublicRoutes | StaffRoutes | Schedule | TableStream | StaffSignInTriggers | QueueMessages


@dataclass(frozen=True)
class FunctionSpec:
    # Construct id and the suffix of the function's name; PascalCase.
    name: str
    # Its entry module's name in lambdas/entrypoints/; Lambda calls the module's `lambda_handler`.
    entry: str
    description: str
    trigger: Trigger
    tables: tuple[TableAccess, ...] = ()
    keys: tuple[KeyAccess, ...] = ()
    buckets: tuple[BucketAccess, ...] = ()
    # Queues the function sends messages to (sqs:SendMessage on each).
    sends_to: tuple[QueueSpec, ...] = ()
    sends_mail: bool = False
    # Cognito admin actions on the staff user pool (access rights are granted and revoked there, §8.2).
    staff_pool_actions: tuple[str, ...] = ()
    memory_mb: int = 512
    timeout_seconds: int = 10
    # Runs best one at a time: gets the deployment's `sweeper_reserved_concurrency` when that is set.
    single_instance: bool = False

    @property
    def module(self) -> str:
        return f"entrypoints.{self.entry}"

    @property
    def handler(self) -> str:
        return f"{self.module}.lambda_handler"

    @property
    def module_path(self) -> Path:
        return LAMBDAS_DIR.joinpath(*self.module.split(".")).with_suffix(".py")

    @property
    def service_name(self) -> str:
        return "policybound-" + self.entry.replace("_", "-")

    @property
    def role_name(self) -> str:
        """The function role's fixed name: the key policies name these roles, and a name is known before
        the role exists (KMS refuses a key policy whose principal does not exist yet)."""
        return "policybound-" + re.sub(r"(?<!^)(?=[A-Z])", "-", self.name).lower()


# Item-level actions only: never Scan, BatchWriteItem or any table-management action.
ITEM_ACTIONS = (READ_ITEM, READ_ITEMS, QUERY, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, CONDITION_CHECK)

_API_KEYS = (
    KeyAccess(tables.DATA_KEY, ("kms:GenerateDataKey", "kms:Decrypt")),
    KeyAccess(tables.BLIND_INDEX_KEY, ("kms:GenerateMac",)),
)

_LEDGER_APPEND = TableAccess(tables.LEDGER, (READ_ITEM, QUERY, PUT_ITEM, CONDITION_CHECK))
# Unsealed consent entries are the only ledger items ever deleted: by the sealing job once chained, and by
# intake when it takes back a submission whose follow-up failed.
_UNSEALED_CONSENT_REMOVAL = TableAccess(
    tables.LEDGER, (DELETE_ITEM,), leading_keys=(tables.LEDGER_PENDING_CONSENT_CHAIN,)
)

# What each API entry point's routes reach, adapter by adapter. Both resolve services from one composition
# root (`policybound.wiring.Wiring.providers`), but each runs only its own routes: these lists are what
# those routes do, and tests/integration/test_api_grants_on_aws.py drives every route family against moto
# and fails if a call is not granted here.
_PUBLIC_API_TABLES = (
    # Intake, rights (view, correct, erase), unsubscribe, guardian confirmation.
    TableAccess(
        tables.RECORDS,
        (READ_ITEM, QUERY, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, CONDITION_CHECK),
        indexes=(tables.RECORDS_BY_SUBJECT.name, tables.RECORDS_BY_GUARDIAN.name),
    ),
    TableAccess(tables.KEYS, (READ_ITEM, PUT_ITEM, DELETE_ITEM, CONDITION_CHECK)),
    _LEDGER_APPEND,
    _UNSEALED_CONSENT_REMOVAL,
    # Powertools idempotency: a record per key, updated on completion, deleted when the request failed.
    TableAccess(tables.IDEMPOTENCY, (READ_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)),
    # Cookie consents: recorded, checked by each visit's write, withdrawn and deleted with their visits.
    TableAccess(tables.COOKIE_CONSENTS, (READ_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, CONDITION_CHECK)),
    TableAccess(tables.VISITS, (PUT_ITEM, QUERY, DELETE_ITEM), indexes=(tables.VISITS_BY_CONSENT.name,)),
    # One-time codes and rights sessions (wrong tries counted, used codes deleted).
    TableAccess(tables.RIGHTS_VERIFICATIONS, (READ_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)),
    # A subject's correction notifies the recipients it was provided to (§ provision to third parties).
    TableAccess(tables.DISCLOSURES, (READ_ITEM, QUERY, UPDATE_ITEM)),
)
_STAFF_API_TABLES = (
    # Listings by form, subject lookups, corrections and erasures of rights requests, legal holds; the
    # marketing audience read a page at a time (BatchGetItem).
    TableAccess(
        tables.RECORDS,
        (READ_ITEM, READ_ITEMS, QUERY, UPDATE_ITEM, DELETE_ITEM, CONDITION_CHECK),
        indexes=(tables.RECORDS_BY_FORM.name, tables.RECORDS_BY_SUBJECT.name, tables.RECORDS_BY_GUARDIAN.name),
    ),
    TableAccess(tables.KEYS, (READ_ITEM, PUT_ITEM, DELETE_ITEM, CONDITION_CHECK)),
    _LEDGER_APPEND,
    TableAccess(tables.DISCLOSURES, (READ_ITEM, QUERY, PUT_ITEM, UPDATE_ITEM)),
    TableAccess(tables.LEGAL_HOLDS, (READ_ITEM, PUT_ITEM, UPDATE_ITEM, CONDITION_CHECK)),
    TableAccess(
        tables.RIGHTS_REQUESTS,
        (READ_ITEM, QUERY, PUT_ITEM, UPDATE_ITEM),
        indexes=(tables.RIGHTS_REQUESTS_BY_STATUS.name,),
    ),
    TableAccess(tables.INCIDENTS, (READ_ITEM, PUT_ITEM, UPDATE_ITEM)),
    # Idle timeout of staff sessions.
    TableAccess(tables.STAFF_SESSIONS, (READ_ITEM, UPDATE_ITEM)),
    # A letter is stored (PutItem) and read back with its counts (GetItem); the sender does the rest.
    TableAccess(tables.LETTERS, (READ_ITEM, PUT_ITEM)),
)

_LETTER_SENDER = FunctionSpec(
    name="LetterSender",
    entry="letter_sender",
    description="Policybound letter sender: mails queued batches of a letter's recipients, paced for SES",
    trigger=QueueMessages(tables.LETTER_QUEUE, batch_size=1, max_concurrency=SENDER_CONCURRENCY),
    tables=(
        # A batch's records are read again (live, still in the audience) just before it is mailed, and
        # their keys opened, each in one BatchGetItem.
        TableAccess(tables.RECORDS, (READ_ITEMS,)),
        TableAccess(tables.KEYS, (READ_ITEMS,)),
        TableAccess(tables.LETTERS, (READ_ITEM, UPDATE_ITEM)),
        # Claim (conditional PutItems in one transaction with the skipped count), settle (UpdateItems in one
        # transaction with the counts), release (DeleteItem).
        TableAccess(tables.LETTER_DELIVERIES, (PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)),
    ),
    keys=(
        KeyAccess(tables.DATA_KEY, ("kms:Decrypt",)),
        # The per-recipient unsubscribe link is a keyed hash of the record's id.
        KeyAccess(tables.BLIND_INDEX_KEY, ("kms:GenerateMac",)),
    ),
    sends_mail=True,
    memory_mb=512,
    # A batch of BATCH_SIZE mails at SENDS_PER_SECOND_PER_SENDER takes about five seconds.
    timeout_seconds=60,
)

FUNCTIONS: tuple[FunctionSpec, ...] = (
    FunctionSpec(
        name="PublicApi",
        entry="api",
        description="Policybound public API: forms, policy, cookie consents, rights, unsubscribe",
        # The rights routes are their own resource so that they have their own (lower) throttle.
        trigger=PublicRoutes(paths=(PUBLIC_PATH, RIGHTS_PATH)),
        tables=_PUBLIC_API_TABLES,
        keys=_API_KEYS,
        # Signs the resources-download links: S3 authorises each GET as this role, on the catalogue's files only.
        buckets=(BucketAccess(tables.RESOURCE_FILES, ("s3:GetObject",), tuple(r.object_key for r in RESOURCES)),),
        sends_mail=True,
        memory_mb=1024,
        timeout_seconds=15,
    ),
    FunctionSpec(
        name="StaffApi",
        entry="staff_api",
        description="Policybound staff API: submissions, subjects, legal holds, disclosures, incidents, ledger",
        trigger=StaffRoutes(paths=(STAFF_PATH,)),
        tables=_STAFF_API_TABLES,
        keys=_API_KEYS,
        sends_to=(tables.LETTER_QUEUE,),
        sends_mail=True,
        staff_pool_actions=(
            # Also the staff gate's, on every request: is the caller still enabled and in the token's groups?
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
            # Revoking a member's refresh tokens when a group is taken away.
            "cognito-idp:AdminUserGlobalSignOut",
            "cognito-idp:AdminUpdateUserAttributes",
            "cognito-idp:ListUsers",
            "cognito-idp:ListUsersInGroup",
        ),
        memory_mb=1024,
        timeout_seconds=15,
    ),
    FunctionSpec(
        name="Sweeper",
        entry="sweeper",
        description="Policybound sweeper: destroys records whose retention ended (hourly)",
        trigger=HourlySchedule(),
        tables=(
            TableAccess(
                tables.RECORDS,
                (QUERY, READ_ITEM, UPDATE_ITEM, DELETE_ITEM, CONDITION_CHECK),
                indexes=(tables.RECORDS_BY_EXPIRY.name,),
            ),
            TableAccess(tables.KEYS, (DELETE_ITEM, CONDITION_CHECK)),
            _LEDGER_APPEND,
            # Visits whose retention ended (§4), through their expiry index.
            TableAccess(tables.VISITS, (QUERY, DELETE_ITEM), indexes=(tables.VISITS_BY_EXPIRY.name,)),
        ),
        memory_mb=512,
        timeout_seconds=300,
        # One sweep at a time where the account allows reserving it (opt-in). Overlapping sweeps stay safe:
        # each record is destroyed in one conditional transaction, so a second sweep finds it gone.
        single_instance=True,
    ),
    FunctionSpec(
        name="ConsentRenewer",
        entry="consent_renewer",
        description="Policybound consent renewer: asks the people a new policy version affects for consent (§12)",
        trigger=HourlySchedule(why="policy §12: a version that adds an item or a purpose asks for new consent"),
        tables=(
            # The affected forms' records (by_form), each person's records (by_subject, by_guardian); the
            # request is claimed and released by conditional UpdateItem.
            TableAccess(
                tables.RECORDS,
                (QUERY, READ_ITEM, UPDATE_ITEM),
                indexes=(tables.RECORDS_BY_FORM.name, tables.RECORDS_BY_SUBJECT.name, tables.RECORDS_BY_GUARDIAN.name),
            ),
            # The key of the one record a person's mail is addressed from.
            TableAccess(tables.KEYS, (READ_ITEM,)),
        ),
        keys=(KeyAccess(tables.DATA_KEY, ("kms:Decrypt",)),),
        sends_mail=True,
        memory_mb=512,
        timeout_seconds=300,
        # Overlapping runs stay safe: a request is claimed per record and version by one conditional write.
    ),
    FunctionSpec(
        name="ConsentSealer",
        entry="consent_sealer",
        description="Policybound consent sealer: chains submissions' consent entries in batches with Merkle roots",
        trigger=Schedule(minutes=15, why="consents written unsealed by submissions join the hash chain"),
        # adapters.ledger: the unsealed entries (Query), the chain head (Query), puts and deletes in one
        # transaction.
        tables=(TableAccess(tables.LEDGER, (QUERY, PUT_ITEM, CONDITION_CHECK)), _UNSEALED_CONSENT_REMOVAL),
        memory_mb=512,
        timeout_seconds=120,
        # Nothing reserved: a run takes seconds every 15 minutes, and overlapping runs stay safe — a batch
        # removes its unsealed entries on condition, so the run that loses it writes nothing.
    ),
    FunctionSpec(
        name="TtlBackstop",
        entry="ttl_backstop",
        description="Policybound TTL backstop: deletes the key of a record DynamoDB TTL removed",
        trigger=TableStream(tables.RECORDS),
        tables=(
            TableAccess(tables.KEYS, (DELETE_ITEM,)),
            _LEDGER_APPEND,
        ),
        memory_mb=512,
        timeout_seconds=60,
    ),
    FunctionSpec(
        name="StaffSignIn",
        entry="staff_sign_in",
        description="Policybound staff sign-in triggers: lockout, password age, password-change stamp",
        trigger=StaffSignInTriggers(),
        # adapters.staff_access.DynamoAttemptStore: claim (conditional UpdateItems; one whose condition fails
        # returns the item it found, which reads it: GetItem), clear (DeleteItem).
        tables=(TableAccess(tables.STAFF_SIGN_INS, (READ_ITEM, UPDATE_ITEM, DELETE_ITEM)),),
        # adapters.cognito.stamp_password_changed, after a password reset.
        staff_pool_actions=("cognito-idp:AdminUpdateUserAttributes",),
        memory_mb=512,
        # Cognito waits at most 5 seconds for a trigger.
        timeout_seconds=5,
    ),
    _LETTER_SENDER,
)


def key_users(key: tables.KmsKeySpec, specs: tuple[FunctionSpec, ...] = FUNCTIONS) -> dict[str, tuple[str, ...]]:
    """Role name → KMS actions, for every function that declares access to `key`."""
    return {spec.role_name: access.actions for spec in specs for access in spec.keys if access.key == key}


class MissingEntryModule(RuntimeError):
    """A declared function's entry module is not under lambdas/: deploying without it would drop the function."""


def require_entry_modules(specs: tuple[FunctionSpec, ...] | None = None) -> tuple[FunctionSpec, ...]:
    """`specs` (every declared function by default), once each one's entry module is known to exist;
    otherwise the synth stops, naming them."""
    specs = FUNCTIONS if specs is None else specs
    missing = [f"{spec.name} ({spec.module_path})" for spec in specs if not spec.module_path.is_file()]
    if missing:
        raise MissingEntryModule(f"entry modules missing for {', '.join(missing)}")
    return specs
