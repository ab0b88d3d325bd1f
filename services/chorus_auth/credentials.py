"""Emails in normal form. Their rules (length, format) and the password's are the contract's."""

from email_validator import EmailNotValidError, validate_email

from chorus_core.errors import Violations


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
