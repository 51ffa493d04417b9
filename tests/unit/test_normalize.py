import pytest

from policybound.domain.core.errors import ValidationFailed
from policybound.domain.core.normalize import mailbox, normalize_email, normalize_item, normalize_phone, normalize_text
from policybound.policy import ITEMS


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("010-1234-5678", "+821012345678"),
        ("+82 10-1234-5678", "+821012345678"),
        ("02-2099-0114", "+82220990114"),
        ("+1 650-253-0000", "+16502530000"),
    ],
)
def test_phone_numbers_are_stored_in_e164_reading_local_numbers_as_korean(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["hello", "010-12", "+82 10-1234-56789-1"])
def test_invalid_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        normalize_phone(raw)


def test_email_is_normalised_and_checked_without_dns() -> None:
    assert normalize_email("  Minji@Example.CO.KR ") == "Minji@example.co.kr"
    assert normalize_email("user@bücher.example") == "user@bücher.example"
    with pytest.raises(ValueError, match="valid email"):
        normalize_email("not-an-address")
    with pytest.raises(ValueError, match="valid email"):
        normalize_email("a@b")


def test_the_part_before_the_at_is_at_most_64_characters_as_the_schema_says() -> None:
    # Counted in characters, as the schema's pattern counts them: 64 Hangul syllables are 192 bytes.
    for local in ("a" * 64, "가" * 64):
        assert normalize_email(f"{local}@example.com") == f"{local}@example.com"
        assert mailbox(f"{local}@example.com") == f"{local}@example.com"
    for local in ("a" * 65, "가" * 65):
        with pytest.raises(ValueError, match="valid email"):
            normalize_email(f"{local}@example.com")
        with pytest.raises(ValidationFailed):
            mailbox(f"{local}@example.com")


def test_text_is_nfc_normalised_and_trimmed() -> None:
    decomposed = "\u1100\u1161"  # 가 as conjoining jamo
    assert normalize_text(f"  {decomposed}  ", ITEMS["name"]) == "가"


@pytest.mark.parametrize("value", ["Kim\x00Minji", "Kim\u202eMinji", "line\nbreak"])
def test_control_characters_are_refused_in_short_text(value: str) -> None:
    with pytest.raises(ValueError, match="control"):
        normalize_text(value, ITEMS["name"])


def test_long_text_keeps_newlines_and_tabs_but_not_other_controls() -> None:
    assert normalize_text("line one\r\nline two\tend", ITEMS["inquiry"]) == "line one\nline two\tend"
    with pytest.raises(ValueError, match="control"):
        normalize_text("bell\x07", ITEMS["inquiry"])


def test_length_limits_apply_after_normalisation() -> None:
    limit = ITEMS["name"].max_length
    assert normalize_text("가" * limit, ITEMS["name"]) == "가" * limit
    with pytest.raises(ValueError, match=f"at most {limit}"):
        normalize_text("가" * (limit + 1), ITEMS["name"])


def test_blank_values_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        normalize_item("company", "   ")


def test_resource_identifiers_are_restricted_to_safe_characters() -> None:
    assert normalize_item("resource_id", "cloud-whitepaper_2019.v2") == "cloud-whitepaper_2019.v2"
    with pytest.raises(ValueError, match="letters, digits"):
        normalize_item("resource_id", "../etc/passwd")
