"""Field rules shared by the services' request validation."""

import unicodedata

from chorus_core.errors import Violations


def required_text(value: str, field: str, violations: Violations, *, max_length: int) -> str:
    """Trimmed text of 1 to `max_length` characters, without control characters."""
    text = value.strip()
    if not text:
        violations.add(field, "must not be empty")
    elif len(text) > max_length:
        violations.add(field, f"must be at most {max_length} characters")
    elif any(unicodedata.category(char) == "Cc" for char in text):
        # PostgreSQL cannot store NUL in text; no name needs control characters.
        violations.add(field, "must not contain control characters")
    return text
