"""Runtime settings, read from the environment and validated once per process.

Each field names its environment variable (`validation_alias`): that is the one declaration of it,
read by the stacks, local mode and the tests through `environment_names()`. An entry point validates
only the settings it needs (`load_settings(*fields)`): a function is not refused start-up over a
setting it never reads, and a setting it needs that is missing or bad stops it at once, named.
Only entry points call `load_settings()`; the domain receives the values it needs as arguments.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, HttpUrl, TypeAdapter, ValidationError

from policybound import tables
from policybound.domain.core.mail import SENDS_PER_SECOND_PER_SENDER


class SettingsError(RuntimeError):
    """The environment does not describe a usable deployment; raised at start-up, never per request."""


def _split_origins(value: object) -> object:
    if isinstance(value, str):
        return tuple(origin.strip() for origin in value.split(",") if origin.strip())
    return value


def _table(spec: tables.TableSpec) -> Any:
    return Field(validation_alias=spec.env_var, min_length=3)


def _key(spec: tables.KmsKeySpec) -> Any:
    return Field(validation_alias=spec.env_var, min_length=1)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    records_table: str = _table(tables.RECORDS)
    keys_table: str = _table(tables.KEYS)
    ledger_table: str = _table(tables.LEDGER)
    idempotency_table: str = _table(tables.IDEMPOTENCY)
    cookie_consents_table: str = _table(tables.COOKIE_CONSENTS)
    visits_table: str = _table(tables.VISITS)
    rights_verifications_table: str = _table(tables.RIGHTS_VERIFICATIONS)
    rights_requests_table: str = _table(tables.RIGHTS_REQUESTS)
    disclosures_table: str = _table(tables.DISCLOSURES)
    legal_holds_table: str = _table(tables.LEGAL_HOLDS)
    staff_sessions_table: str = _table(tables.STAFF_SESSIONS)
    staff_sign_ins_table: str = _table(tables.STAFF_SIGN_INS)
    incidents_table: str = _table(tables.INCIDENTS)
    data_key_id: str = _key(tables.DATA_KEY)
    blind_index_key_id: str = _key(tables.BLIND_INDEX_KEY)
    # The resources bucket (tables.RESOURCE_FILES), from which resources-download links are signed.
    resources_bucket: str = Field(validation_alias=tables.RESOURCE_FILES.env_var, min_length=3)
    letters_table: str = _table(tables.LETTERS)
    letter_deliveries_table: str = _table(tables.LETTER_DELIVERIES)
    # The queue of letter batches (tables.LETTER_QUEUE).
    letter_queue_url: str = Field(validation_alias=tables.LETTER_QUEUE.env_var, min_length=3)
    mail_sender: str = Field(validation_alias="MAIL_SENDER", min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    # Where links in emails point (the API's public base URL, e.g. https://api.example.com).
    public_base_url: HttpUrl = Field(validation_alias="PUBLIC_BASE_URL")
    # Origins allowed to call the public API from a browser; empty means no cross-origin access.
    allowed_origins: Annotated[tuple[str, ...], BeforeValidator(_split_origins)] = Field(
        default=(), validation_alias="ALLOWED_ORIGINS"
    )
    # How fast one letter sender mails (SES's account rate, shared by the senders; see domain.letters).
    # Deployed functions use the default; local mode, with no real SES behind it, goes faster.
    letter_sends_per_second: float = Field(
        default=SENDS_PER_SECOND_PER_SENDER, validation_alias="LETTER_SENDS_PER_SECOND", gt=0, le=1000
    )
    # The staff user pool (Cognito); only the staff API needs it, and checks at start-up that it has it.
    staff_user_pool_id: str | None = Field(default=None, validation_alias="STAFF_USER_POOL_ID", min_length=1)
    # The pool's app clients whose id tokens are staff sign-ins (the staff console's); only the staff API
    # needs them, and refuses to start without any.
    staff_app_client_ids: Annotated[tuple[str, ...], BeforeValidator(_split_origins)] = Field(
        default=(), validation_alias="STAFF_APP_CLIENT_IDS"
    )

    @property
    def base_url(self) -> str:
        return str(self.public_base_url).rstrip("/")


def environment_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    assert isinstance(alias, str), field
    return alias


def environment_names() -> dict[str, str]:
    """Each setting's environment variable, by field name (from the fields' own aliases)."""
    return {field: environment_name(field) for field in Settings.model_fields}


def optional_environment_names() -> frozenset[str]:
    """The variables a function may go without: their fields have a default."""
    return frozenset(environment_name(f) for f, info in Settings.model_fields.items() if not info.is_required())


@cache
def _validator(field: str) -> TypeAdapter[Any]:
    info = Settings.model_fields[field]
    # The field's own type and constraints (min_length, pattern, the origins' splitting), without its alias.
    kind: Any = Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
    return TypeAdapter(kind)


def settings_from(environ: Mapping[str, str], needs: Collection[str] | None = None) -> Settings:
    """The settings named in `needs` (field names; all of them when None), validated; the rest left unset."""
    fields = list(Settings.model_fields) if needs is None else list(needs)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in fields:
        info, name = Settings.model_fields[field], environment_name(field)
        if name not in environ:
            if info.is_required():
                problems.append(f"{name}: Field required")
            continue
        try:
            values[field] = _validator(field).validate_python(environ[name])
        except ValidationError as error:
            problems.extend(f"{name}: {e['msg']}" for e in error.errors())
    if problems:
        raise SettingsError(f"invalid Policybound settings: {'; '.join(problems)}")
    # Validated above, field by field; a field this function did not ask for stays unset, so reading it
    # fails loudly instead of handing on a default.
    return Settings.model_construct(_fields_set=set(values), **values)


@cache
def load_settings(*needs: str) -> Settings:
    return settings_from(os.environ, needs or None)
