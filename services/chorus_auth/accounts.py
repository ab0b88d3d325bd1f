"""Accounts: sign-up, login and who-am-i.

No gRPC and no SQL here: the servicer translates messages, the data layer
(`chorus_auth.store`) reads and writes, this module decides. Each operation
is one transaction, except login: it reads the password hash, verifies it
outside any transaction (argon2id takes a while: no connection is held
meanwhile), then starts the session in a write transaction.
"""

from chorus_auth.credentials import email_key, normalized_email
from chorus_auth.passwords import PasswordHashing
from chorus_auth.records import UserRecord
from chorus_auth.sessions import IssuedSession, Sessions
from chorus_auth.store import AuthDatabase
from chorus_core.caller import Caller
from chorus_core.errors import NotFound, Unauthenticated, Violations
from chorus_core.roles import OWNER
from chorus_core.sqltypes import utcnow

BAD_CREDENTIALS = "wrong email or password"


class Accounts:
    def __init__(self, db: AuthDatabase, passwords: PasswordHashing, sessions: Sessions) -> None:
        self._db = db
        self._passwords = passwords
        self._sessions = sessions

    async def sign_up(self, raw_email: str, password: str) -> tuple[UserRecord, IssuedSession]:
        """A new user with a personal tenant they own, logged in."""
        violations = Violations()
        email = normalized_email(raw_email, violations)
        violations.raise_if_any()
        password_hash = await self._passwords.hash(password)
        now = utcnow()
        async with self._db.write() as store:
            user = await store.add_user(email, email_key(email), password_hash, now)
            tenant = await store.add_tenant(email, personal=True, now=now)
            await store.add_member(tenant.id, user.id, OWNER, now)
            issued = await self._sessions.start(store, user.id, tenant.id, OWNER, now)
        return user, issued

    async def login(self, raw_email: str, password: str) -> tuple[UserRecord, IssuedSession]:
        """A new session in the user's personal tenant.

        An unknown email costs one password verification too (against a
        dummy hash), so the time taken does not tell which emails have accounts.
        """
        # The same normal form as at sign-up (NFC, IDNA domain), not just the
        # same case: an email must log in exactly as it was typed to sign up.
        key = email_key(normalized_email(raw_email, Violations()))
        async with self._db.read() as store:
            found = await store.credentials(key)
        verified = await self._passwords.verify(found[1] if found else None, password)
        if found is None or not verified:
            raise Unauthenticated(BAD_CREDENTIALS)
        user = found[0]
        now = utcnow()
        async with self._db.write() as store:
            personal = await store.personal_membership(user.id)
            if personal is None:
                raise Unauthenticated(BAD_CREDENTIALS)
            tenant_id, role = personal
            issued = await self._sessions.start(store, user.id, tenant_id, role, now)
        return user, issued

    async def who_am_i(self, caller: Caller) -> UserRecord:
        async with self._db.read() as store:
            user = await store.user(caller.user_id)
        if user is None:
            raise NotFound("the user of this access token no longer exists")
        return user
