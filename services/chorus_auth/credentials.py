"""Validation of emails and passwords given at sign-up and login."""

from email_validator import EmailNotValidError, validate_email

from chorus_core.errors import Violations

MIN_PASSWORD = 8
MAX_PASSWORD = 1024
"""Long passphrases are welcome; the cap only keeps hashing bounded."""


def normalized_email(raw: str, violations: Violations) -> str:
    """The email in normal form (trimmed, domain lower-cased, Unicode NFC)."""
    email = raw.strip()
    if not email:
        violations.add("email", "must not be empty")
        return email
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        violations.add("email", str(exc))
        return email


def email_key(email: str) -> str:
    """What makes two emails the same account: case-insensitive comparison."""
    return email.casefold()


def check_new_password(password: str, violations: Violations) -> None:
    if len(password) < MIN_PASSWORD:
        violations.add("password", f"must be at least {MIN_PASSWORD} characters")
    elif len(password) > MAX_PASSWORD:
        violations.add("password", f"must be at most {MAX_PASSWORD} characters")
