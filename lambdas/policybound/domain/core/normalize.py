"""Normalisation of submitted items: one canonical form per value, or a problem a person can fix.

Well-kept libraries do the hard parts: email-validator for addresses (RFC 5322/6531 syntax, IDNA
domains) and phonenumbers for Korean and international numbers (stored in E.164).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from policybound.domain.core.errors import FieldProblem, ValidationFailed
from policybound.policy import ITEMS, Item, ItemKind

if TYPE_CHECKING:
    from email_validator import ValidatedEmail
    from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

_IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# 8 to 15 digits (E.164's range) with the separators people write; phonenumbers then judges the number.
_PHONE = re.compile(r"\+?\(?(?:[0-9][ ().-]*){8,15}")

# Control, format and surrogate characters (Unicode categories Cc, Cf, Cs) are refused in text: they
# hide or reorder content for the people who read submissions (U+202E turns text around) and break logs
# and CSV exports. Private-use and unassigned code points are kept: they hide nothing, and a character
# newer than this interpreter's Unicode database (a new emoji) must not make a form fail.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_ALLOWED_CONTROLS_LONG_TEXT = {"\n", "\t", "\r"}


def _class_of(belongs: Callable[[str], bool]) -> str:
    """The characters `belongs` admits as the body of a regular-expression class, read from the same
    Unicode database that validation asks (so schema and validation cannot disagree), spelled range by
    range: some generators read `\\p{C}` as the ASCII and Latin-1 controls alone. Lone surrogates are left
    out (no JSON Schema engine can hold one in a pattern; no UTF-8 body can carry one). Built when a
    document is written, never at a cold start (it reads all 1.1 million code points)."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if not 0xD800 <= code <= 0xDFFF and belongs(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))

    def spelled(code: int) -> str:
        # BMP characters as \\uXXXX escapes (ECMA-262, Python and Rust read them alike); others as
        # themselves, which every engine reads as one code point.
        return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)

    return "".join(spelled(low) if low == high else f"{spelled(low)}-{spelled(high)}" for low, high in ranges)


@cache
def _refused_class() -> str:
    return _class_of(lambda char: unicodedata.category(char) in _REFUSED_CATEGORIES)


@cache
def _split_by_nfc_class() -> str:
    """The characters NFC splits in two or three (Indic and Hebrew letters among them, such as U+0958):
    the part before an address's @ is counted once normalised, so these would make it longer."""
    return _class_of(lambda char: len(unicodedata.normalize("NFC", char)) > 1)


def text_pattern() -> str:
    """The text rule as a JSON Schema pattern (ECMA-262), for the OpenAPI document: no refused
    character, and something besides whitespace. It describes the value as sent; `normalize_text`
    enforces exactly that and then normalises."""
    refused = _refused_class()
    return f"^[^{refused}]*[^{refused}\\s][^{refused}]*$"


def long_text_pattern() -> str:
    """As `text_pattern`, with newlines and tabs allowed."""
    refused = _refused_class()
    kept = "(?:[\\t\\n\\r]|[^" + refused + "])*"
    return f"^{kept}[^{refused}\\s]{kept}$"


TextKind = Literal["text", "long_text"]
# The pattern of each kind of text: the forms' items and the requests' free texts state them from here.
TEXT_PATTERNS: dict[ItemKind, Callable[[], str]] = {"text": text_pattern, "long_text": long_text_pattern}

IDENTIFIER_PATTERN = f"^{_IDENTIFIER.pattern}$"
PHONE_PATTERN = f"^{_PHONE.pattern}$"
# An address is at most 254 characters (RFC 5321's path limit, which email-validator enforces too).
EMAIL_MAX_LENGTH = 254


# The characters an address's pattern admits, each one email-validator accepts where the pattern puts it.
# The local part: RFC 5322's atext and any letter or number (internationalised addresses carry these;
# email-validator refuses a mark first, and few addresses have symbols). A domain label: ASCII letters,
# digits and inner hyphens, never two together (email-validator refuses "--" after two letters); or an
# internationalised one of digits, Latin lowercase letters and Hangul syllables, at most 15 characters,
# so that its IDNA form stays within 63. The last label ends in a letter, as email-validator requires.
_LOCAL_CHAR = r"[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]"
_ASCII_LETTERS = "A-Za-z"
_IDN_LETTERS = r"a-z\u00DF-\u00F6\u00F8-\u00FF\uAC00-\uD7A3"
_ASCII_LETTER, _ASCII_LABEL_CHAR = f"[{_ASCII_LETTERS}]", f"[{_ASCII_LETTERS}0-9]"
_IDN_LETTER, _IDN_LABEL_CHAR = f"[{_IDN_LETTERS}]", f"[0-9{_IDN_LETTERS}]"
_IDN_LABEL_MAX_LENGTH = 15
# RFC 1035's limit on a label, which email-validator enforces (on the IDNA form).
_LABEL_MAX_LENGTH = 63
# RFC 5321's limit on the part before the @, which validation enforces (email-validator's strict mode).
_LOCAL_MAX_LENGTH = 64
# email-validator counts 254 in UTF-8 bytes, after NFC and again with the domain in IDNA form, which no
# pattern can count. With the letters NFC splits left out, the most a character the pattern admits grows to
# is 4.5 bytes: a one-character label and its dot become "xn--", 4 more and the dot (9 bytes for 2), where a
# letter beyond the BMP is 4. So an address with any character beyond ASCII is held to 254 / 4.5 characters;
# an ASCII address keeps all 254.
_NON_ASCII_MAX_LENGTH = EMAIL_MAX_LENGTH * 2 // 9


def _label(char: str, most: int, end: str | None = None) -> str:
    end = end or char
    return f"(?:{end}|{char}(?:{char}|-(?!-)){{0,{most - 2}}}{end})"


def email_schema(schema: dict[str, Any]) -> None:
    """What `normalize_email` accepts, in JSON Schema words: an address (`format: idn-email`, RFC 6531's
    internationalised addresses, which `email`'s RFC 5321 ASCII would refuse) of at most 254 characters
    (`_NON_ASCII_MAX_LENGTH` with any beyond ASCII), shaped as above, whose domain is not one of the
    special-use names email-validator refuses (`.test`, `.local`, ...). The names are the library's own
    list, read when a document is written, so the schema cannot drift from validation and a cold start does
    not load the library. Generators draw addresses from this pattern, so every address it admits must pass
    validation: a looser one has them send control characters and unassigned code points, refused as
    malformed."""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    # ECMA-262 patterns have no flags: each letter of a name matches in either case, as domains do.
    names = "|".join(
        "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name) for name in SPECIAL_USE_DOMAIN_NAMES
    )
    local = rf"{_LOCAL_CHAR}+(?:\.{_LOCAL_CHAR}+)*"
    # One look-ahead over the part before the @, rather than one per character: generators draw faster.
    not_split = f"(?![^@]*[{_split_by_nfc_class()}])"
    label = f"(?:{_label(_ASCII_LABEL_CHAR, _LABEL_MAX_LENGTH)}|{_label(_IDN_LABEL_CHAR, _IDN_LABEL_MAX_LENGTH)})"
    last = (
        f"(?:{_label(_ASCII_LABEL_CHAR, _LABEL_MAX_LENGTH, _ASCII_LETTER)}"
        f"|{_label(_IDN_LABEL_CHAR, _IDN_LABEL_MAX_LENGTH, _IDN_LETTER)})"
    )
    schema["format"] = "idn-email"
    schema["maxLength"] = min(schema.get("maxLength", EMAIL_MAX_LENGTH), EMAIL_MAX_LENGTH)
    within_bytes = rf"(?=[\u0000-\u007F]*$|.{{0,{_NON_ASCII_MAX_LENGTH}}}$)"
    schema["pattern"] = (
        rf"^(?![^@]*@(?:[^@]*\.)?(?:{names})$){within_bytes}{not_split}(?![^@]{{{_LOCAL_MAX_LENGTH + 1}}})"
        rf"{local}@(?:{label}\.)+{last}$"
    )


def _has_forbidden_control(value: str, allowed: set[str]) -> bool:
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in allowed for ch in value)


class TextRule(Protocol):
    """What the text rule needs to know of a value: its limit, and whether it may span lines."""

    @property
    def max_length(self) -> int: ...

    @property
    def kind(self) -> ItemKind: ...


@dataclass(frozen=True)
class FreeText:
    """A request's free text under the forms' text rule (`Annotated[str, FreeText(2000, "long_text")]`):
    `normalize_text` checks and normalises it, and its schema states the same rule with the same patterns,
    so a value the schema admits is one validation accepts."""

    max_length: int
    kind: TextKind = "text"

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(lambda value: normalize_text(value, self), handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        described = handler(schema)
        described["maxLength"] = self.max_length
        described["pattern"] = TEXT_PATTERNS[self.kind]()
        return described


def normalize_text(value: str, item: TextRule) -> str:
    # The limit applies to the value as sent, as a JSON Schema `maxLength` counts it (code points), and
    # again once normalised (NFC can lengthen a value); measured first, so huge values cost nothing.
    if len(value) > item.max_length:
        raise ValueError(f"must be at most {item.max_length} characters")
    allowed = _ALLOWED_CONTROLS_LONG_TEXT if item.kind == "long_text" else set()
    if _has_forbidden_control(value, allowed):
        raise ValueError("must not contain control characters")
    value = unicodedata.normalize("NFC", value).strip()
    if item.kind == "long_text":
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value:
        raise ValueError("must not be empty")
    if len(value) > item.max_length:
        raise ValueError(f"must be at most {item.max_length} characters")
    return value


# email-validator and phonenumbers load on the first value they check, not at every cold start: the
# policy, cookie and visit routes never use them (phonenumbers alone is 58 modules).


def _validated_email(value: str) -> ValidatedEmail:
    from email_validator import validate_email

    # Deliverability needs DNS, which a form submission must not wait on. Strict mode adds RFC 5321's
    # 64-character limit on the part before the @, which the schema states and mail servers may enforce.
    return validate_email(value, check_deliverability=False, strict=True)


def normalize_email(value: str) -> str:
    from email_validator import EmailNotValidError

    value = normalize_text(value, ITEMS["email"])
    try:
        return _validated_email(value).normalized
    except EmailNotValidError as error:
        raise ValueError(f"is not a valid email address: {error}") from None


def normalize_phone(value: str) -> str:
    import phonenumbers

    sent, value = value, normalize_text(value, ITEMS["contact"])
    if not _PHONE.fullmatch(sent):
        raise ValueError("is not a phone number; use digits, e.g. 010-1234-5678 or +82 10-1234-5678")
    try:
        number = phonenumbers.parse(value, "KR")
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number; use digits, e.g. 010-1234-5678 or +82 10-1234-5678") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_identifier(value: str, item: Item) -> str:
    sent, value = value, normalize_text(value, item)
    if not _IDENTIFIER.fullmatch(sent):
        raise ValueError("may contain only letters, digits, '.', '_' and '-'")
    return value


def normalize_item(name: str, value: str) -> str:
    item = ITEMS[name]
    if item.kind == "email":
        return normalize_email(value)
    if item.kind == "phone":
        return normalize_phone(value)
    if item.kind == "identifier":
        return normalize_identifier(value, item)
    return normalize_text(value, item)


def mailbox(email: str) -> str:
    """The one identity of a mailbox: spellings mail systems deliver to the same place, and no others.

    The domain is case-insensitive and has one IDNA 2008 form, its A-label (`xn--…`), whatever
    spelling was typed (U-label, punycode, fullwidth, any case); IDNA 2008 keeps ß, so busineß.com
    and business.com stay two domains, as they are two registrations. The local part belongs to the
    receiving server, which may treat it case-sensitively (RFC 5321 §2.4), so it is kept exactly as
    written, up to canonical equivalence (NFC, which RFC 6532 asks of internationalised addresses).
    No case folding and no compatibility mapping (ſ, K, ß→ss, fullwidth letters, ligatures): those
    can name different mailboxes, and merging them would give one person another's records.
    Every comparison of addresses — blind index, rights codes, staff look-ups, legal holds, the
    guardian check — goes through this function.
    """
    from email_validator import EmailNotValidError

    try:
        checked = _validated_email(email)
    except EmailNotValidError:
        # Look-ups take addresses from query strings that only a pattern checked: a 422, never a 500.
        raise ValidationFailed(
            "The email address is not valid.", (FieldProblem("email", "is not a valid email address"),)
        ) from None
    local_part = unicodedata.normalize("NFC", checked.local_part)
    return f"{local_part}@{checked.ascii_domain.lower()}"


def same_mailbox(one: str, other: str) -> bool:
    return mailbox(one) == mailbox(other)


def subject_key(email: str) -> bytes:
    """What the blind index is computed over: the address's mailbox identity (see `mailbox`)."""
    return mailbox(email).encode()
