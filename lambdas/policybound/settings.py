"""Runtime settings, read from the environment and validated once per process.

Only entry points call `load_settings()`; the domain receives the values it needs as arguments.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from policybound import tables


class SettingsError(RuntimeError):
    """The environment does not describe a usable deployment; raised at start-up, never per request."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    records_table: str = Field(min_length=3)
    keys_table: str = Field(min_length=3)
    ledger_table: str = Field(min_length=3)
    idempotency_table: str = Field(min_length=3)
    cookie_consents_table: str = Field(min_length=3)
    visits_table: str = Field(min_length=3)
    rights_verifications_table: str = Field(min_length=3)
    rights_requests_table: str = Field(min_length=3)
    disclosures_table: str = Field(min_length=3)
    legal_holds_table: str = Field(min_length=3)
    staff_sessions_table: str = Field(min_length=3)
    staff_sign_ins_table: str = Field(min_length=3)
    incidents_table: str = Field(min_length=3)
    data_key_id: str = Field(min_length=1)
    blind_index_key_id: str = Field(min_length=1)
    mail_sender: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    # Where links in emails point (the API's public base URL, e.g. https://api.example.com).
    public_base_url: HttpUrl
    # Origins allowed to call the public API from a browser; empty means no cross-origin access.
    allowed_origins: tuple[str, ...] = ()
    # The staff user pool (Cognito); only the staff API needs it, and checks at start-up that it has it.
    staff_user_pool_id: str | None = Field(default=None, min_length=1)

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip() for origin in value.split(",") if origin.strip())
        return value

    @property
    def base_url(self) -> str:
        return str(self.public_base_url).rstrip("/")


ENV_VARS: dict[str, str] = {
    "records_table": tables.RECORDS.env_var,
    "keys_table": tables.KEYS.env_var,
    "ledger_table": tables.LEDGER.env_var,
    "idempotency_table": tables.IDEMPOTENCY.env_var,
    "cookie_consents_table": tables.COOKIE_CONSENTS.env_var,
    "visits_table": tables.VISITS.env_var,
    "rights_verifications_table": tables.RIGHTS_VERIFICATIONS.env_var,
    "rights_requests_table": tables.RIGHTS_REQUESTS.env_var,
    "disclosures_table": tables.DISCLOSURES.env_var,
    "legal_holds_table": tables.LEGAL_HOLDS.env_var,
    "staff_sessions_table": tables.STAFF_SESSIONS.env_var,
    "staff_sign_ins_table": tables.STAFF_SIGN_INS.env_var,
    "incidents_table": tables.INCIDENTS.env_var,
    "data_key_id": tables.DATA_KEY.env_var,
    "blind_index_key_id": tables.BLIND_INDEX_KEY.env_var,
    "mail_sender": "MAIL_SENDER",
    "public_base_url": "PUBLIC_BASE_URL",
    "allowed_origins": "ALLOWED_ORIGINS",
    "staff_user_pool_id": "STAFF_USER_POOL_ID",
}


def settings_from(environ: Mapping[str, str]) -> Settings:
    values = {field: environ[var] for field, var in ENV_VARS.items() if var in environ}
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(f"{ENV_VARS[str(e['loc'][0])] if e['loc'] else '?'}: {e['msg']}" for e in error.errors())
        raise SettingsError(f"invalid Policybound settings: {problems}") from error


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    return settings_from(os.environ)
