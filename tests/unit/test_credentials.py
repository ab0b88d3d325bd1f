"""Emails and passwords as sign-up checks them: the contract's rules, then normal form."""

import pytest

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus_auth.credentials import email_key, normalized_email
from chorus_core.contract_rules import rule_violations
from chorus_core.errors import InvalidArgument, Violations


def violations_of(check: Violations) -> dict[str, str]:
    """The violations collected so far, by field ({} if there are none)."""
    try:
        check.raise_if_any()
    except InvalidArgument as error:
        return {v.field: v.description for v in error.violations}
    return {}


def normalize(raw: str) -> tuple[str, dict[str, str]]:
    violations = Violations()
    email = normalized_email(raw, violations)
    return email, violations_of(violations)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ann@example.com", "ann@example.com"),
        ("  ann@example.com\t", "ann@example.com"),
        ("Ann@Example.COM", "Ann@example.com"),
        ("e\u0301mile@example.com", "\u00e9mile@example.com"),
        ("user@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.com", "user@example.com"),
        ("user@B\u00dcCHER.de", "user@b\u00fccher.de"),
    ],
    ids=["plain", "trimmed", "domain-lower-cased", "nfc", "full-width-domain", "idna-domain"],
)
def test_valid_emails_are_normalised(raw: str, expected: str) -> None:
    assert normalize(raw) == (expected, {})


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "ann", "ann@", "@example.com", "ann@@example.com", "ann@exa mple.com", "a@b"],
)
def test_invalid_emails_are_violations_of_the_email_field(raw: str) -> None:
    _, violations = normalize(raw)
    assert set(violations) == {"email"}
    assert violations["email"]


def test_an_empty_email_says_so() -> None:
    assert normalize("  ")[1] == {"email": "must not be empty"}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Ann@example.com", "ann@example.com"),
        ("ANN@EXAMPLE.COM", "ann@example.com"),
        ("Stra\u00dfe@example.com", "STRASSE@example.com"),
    ],
)
def test_email_key_ignores_case(first: str, second: str) -> None:
    assert email_key(first) == email_key(second)


def test_email_key_tells_different_addresses_apart() -> None:
    assert email_key("ann@example.com") != email_key("anne@example.com")


def password_violations(password: str) -> dict[str, str]:
    request = pb.SignUpRequest(email="jane@example.com", password=password)
    return {v.field: v.description for v in rule_violations(request)}


@pytest.mark.parametrize(
    "password",
    [
        "x" * 8,
        "x" * 1024,
        ("correct horse battery staple " * 7)[:200],
        "pässwörd-ünïcode",
    ],
    ids=["shortest", "longest", "passphrase", "unicode"],
)
def test_passwords_within_bounds_pass(password: str) -> None:
    assert password_violations(password) == {}


@pytest.mark.parametrize(
    ("password", "description"),
    [
        ("", "must be at least 8 characters"),
        ("x" * 7, "must be at least 8 characters"),
        ("x" * 1025, "must be at most 1024 characters"),
    ],
    ids=["empty", "one-too-short", "one-too-long"],
)
def test_passwords_out_of_bounds_are_violations(password: str, description: str) -> None:
    assert password_violations(password) == {"password": description}
