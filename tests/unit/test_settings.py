import pytest

from policybound.settings import SettingsError, environment_names, settings_from

VALID = {
    "RECORDS_TABLE": "records",
    "KEYS_TABLE": "keys-table",
    "LEDGER_TABLE": "ledger",
    "IDEMPOTENCY_TABLE": "idem",
    "COOKIE_CONSENTS_TABLE": "cookie-consents",
    "VISITS_TABLE": "visits",
    "RIGHTS_VERIFICATIONS_TABLE": "rights-verifications",
    "RIGHTS_REQUESTS_TABLE": "rights-requests",
    "DISCLOSURES_TABLE": "disclosures",
    "LEGAL_HOLDS_TABLE": "legal-holds",
    "DATA_KEY_ID": "key-1",
    "BLIND_INDEX_KEY_ID": "key-2",
    "MAIL_SENDER": "no-reply@example.com",
    "PUBLIC_BASE_URL": "https://api.example.com/",
    "ALLOWED_ORIGINS": "https://www.example.com, https://example.com ,",
    "STAFF_USER_POOL_ID": "ap-northeast-2_Staff1",
    "STAFF_APP_CLIENT_IDS": "console-client-1",
    "STAFF_SESSIONS_TABLE": "staff-sessions",
    "STAFF_SIGN_INS_TABLE": "staff-sign-ins",
    "INCIDENTS_TABLE": "incidents",
    "RESOURCES_BUCKET": "resource-files",
    "LETTERS_TABLE": "letters",
    "LETTER_DELIVERIES_TABLE": "letter-deliveries",
    "LETTER_QUEUE_URL": "https://sqs.ap-northeast-2.amazonaws.com/123456789012/letters",
    "LETTER_SENDS_PER_SECOND": "5",
}


def test_settings_are_read_and_normalised() -> None:
    settings = settings_from(VALID)
    assert settings.allowed_origins == ("https://www.example.com", "https://example.com")
    assert settings.base_url == "https://api.example.com"


def test_every_setting_has_an_environment_variable() -> None:
    assert set(VALID) == set(environment_names().values())


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"RECORDS_TABLE": None}, "RECORDS_TABLE"),
        ({"PUBLIC_BASE_URL": "not a url"}, "PUBLIC_BASE_URL"),
        ({"MAIL_SENDER": "nobody"}, "MAIL_SENDER"),
    ],
)
def test_bad_settings_fail_at_start_up_naming_the_variable(change: dict[str, str | None], named: str) -> None:
    env = {k: v for k, v in (VALID | change).items() if v is not None}
    with pytest.raises(SettingsError, match=named):
        settings_from(env)


def test_a_function_validates_only_the_settings_it_needs() -> None:
    env = {k: v for k, v in VALID.items() if k != "KEYS_TABLE"} | {"PUBLIC_BASE_URL": "not a url"}
    settings = settings_from(env, needs=("records_table", "ledger_table"))
    assert (settings.records_table, settings.ledger_table) == ("records", "ledger")
    # A setting it did not ask for is not handed on, so reading one fails loudly rather than silently.
    with pytest.raises(AttributeError):
        _ = settings.keys_table
    with pytest.raises(SettingsError, match="KEYS_TABLE"):
        settings_from(env, needs=("records_table", "keys_table"))
