"""The throwaway accounts tests sign up: one password, and emails never taken before."""

import uuid

PASSWORD = "password1x"


def unique_email(name: str) -> str:
    """`<name>-<10 random hex digits>@example.com`."""
    return f"{name}-{uuid.uuid4().hex[:10]}@example.com"
