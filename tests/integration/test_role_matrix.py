"""Every role against every method, table-driven; and songs belong to the tenant.

For each method, every role gets a fresh team (a shared tenant made by
"owner") with an "actor" in that role, and the actors make the call at once.
Each role's outcome is its status code and whether the call changed the
database (looked at directly, not through the API under test): a refused call
changes nothing, an allowed change does.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.resource.v1 import song_service_pb2 as song_pb
from chorus_client import ChorusClient, UserSession
from tests.support.accounts import unique_email
from tests.support.calls import status_of
from tests.support.in_process import InProcessSuite
from tests.support.service_databases import stored_songs, tenant_state
from tests.support.songs import all_ids, new_user
from tests.support.tenants import ONE_OF_EACH_ROLE, ROLES, Team, my_tenants, new_team

OK = grpc.StatusCode.OK
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


Outcome = tuple[grpc.StatusCode, bool]
"""A call's status code, and whether it changed the database."""


def expected_outcomes(least: str, changes: bool) -> dict[str, Outcome]:
    """By role: roles at least as strong as `least` may make the call, and it
    changes the database if it `changes` anything; weaker roles are refused
    (PERMISSION_DENIED) and change nothing."""
    ranks = list(ROLES)  # strongest first
    return {
        role: (OK, changes)
        if ranks.index(role) <= ranks.index(least)
        else (PERMISSION_DENIED, False)
        for role in ROLES
    }


async def outcomes_by_role(case: Callable[[str], Awaitable[Outcome]]) -> dict[str, Outcome]:
    """The outcome of `case` for every role, all run at once."""
    outcomes = await asyncio.gather(*(case(role) for role in ROLES))
    return dict(zip(ROLES, outcomes, strict=True))


# SongService

SongCall = Callable[[UserSession, str], Awaitable[object]]
"""A song call, given the actor and the id of a song of the tenant."""


@dataclass(frozen=True)
class SongMethod:
    call: SongCall
    least: str
    """The weakest role that may make the call."""
    changes: bool
    """Whether the call, when allowed, changes the tenant's songs."""


SONG_METHODS = {
    "CreateSong": SongMethod(
        lambda user, _: user.songs.create("New", "Band"), "editor", changes=True
    ),
    "GetSong": SongMethod(lambda user, song_id: user.songs.get(song_id), "viewer", changes=False),
    "ListSongs": SongMethod(lambda user, _: user.songs.page(), "viewer", changes=False),
    "UpdateSong": SongMethod(
        lambda user, song_id: user.songs.update(song_pb.Song(id=song_id, year=1999), ["year"]),
        "editor",
        changes=True,
    ),
    "DeleteSong": SongMethod(
        lambda user, song_id: user.songs.delete(song_id), "editor", changes=True
    ),
}


@pytest.mark.parametrize("method", SONG_METHODS.values(), ids=SONG_METHODS.keys())
async def test_song_methods_by_role(
    suite: InProcessSuite, client: ChorusClient, method: SongMethod
) -> None:
    async def outcome(role: str) -> Outcome:
        team = await new_team(client, {"actor": role})
        song = await team["owner"].songs.create("Aberdeen", "Cage the Elephant", year=2011)
        before = await stored_songs(suite, team.id)
        status = await status_of(method.call(team["actor"], song.id))
        return status, await stored_songs(suite, team.id) != before

    assert await outcomes_by_role(outcome) == expected_outcomes(method.least, method.changes)


async def test_songs_belong_to_the_tenant_and_keep_their_creator(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    team = await new_team(client, ONE_OF_EACH_ROLE)
    by_editor = await team["editor"].songs.create("Aberdeen", "Cage the Elephant")
    by_admin = await team["admin"].songs.create("Hey Jude", "The Beatles")

    by_editor.year = 2011
    await team["admin"].songs.update(by_editor, ["year"])
    await team["owner"].songs.delete(by_admin.id)

    for member in team.members.values():
        assert await all_ids(member) == [by_editor.id]
        assert (await member.songs.get(by_editor.id)).year == 2011
    [stored] = (await stored_songs(suite, team.id)).values()
    assert (stored.id, stored.tenant_id) == (by_editor.id, team.id)
    assert stored.created_by == team["editor"].user.id, "updated by the admin, made by the editor"


# TenantService


def team_with(actor: str) -> dict[str, str]:
    """The actor, and whom the calls act on: a second owner and a viewer."""
    return {"actor": actor, "second_owner": "owner", "target": "viewer"}


ManagementCall = Callable[[Team, UserSession, UserSession], Awaitable[object]]
"""A TenantService call, given the team, the actor and an outsider (to invite)."""


@dataclass(frozen=True)
class ManagementMethod:
    call: ManagementCall
    least: str
    """The weakest role that may make the call."""
    changes: bool
    """Whether the call, when allowed, changes the tenant's members or invitations."""


def invite(role: str) -> ManagementCall:
    return lambda team, actor, outsider: actor.tenants.invite(
        team.id, outsider.user.email, ROLES[role]
    )


def change_role(target: str, role: str) -> ManagementCall:
    return lambda team, actor, _: actor.tenants.change_role(
        team.id, team[target].user.id, ROLES[role]
    )


def remove(target: str) -> ManagementCall:
    return lambda team, actor, _: actor.tenants.remove(team.id, team[target].user.id)


PENDING_ROLES = ("viewer", "owner")
"""Every team of the table has a pending invitation for each of these roles."""


def revoke(role: str) -> ManagementCall:
    async def call(team: Team, actor: UserSession, _: UserSession) -> None:
        pending, _token = await team["owner"].tenants.tenant_invitations_page(team.id)
        [invitation] = [i for i in pending if i.role == ROLES[role]]
        await actor.tenants.revoke_invitation(team.id, invitation.id)

    return call


MANAGEMENT_METHODS = {
    "ListMembers": ManagementMethod(
        lambda team, actor, _: actor.tenants.members_page(team.id), "viewer", changes=False
    ),
    "InviteMember(viewer)": ManagementMethod(invite("viewer"), "admin", changes=True),
    "InviteMember(editor)": ManagementMethod(invite("editor"), "admin", changes=True),
    "InviteMember(admin)": ManagementMethod(invite("admin"), "admin", changes=True),
    "InviteMember(owner)": ManagementMethod(invite("owner"), "owner", changes=True),
    "ListInvitations": ManagementMethod(
        lambda team, actor, _: actor.tenants.tenant_invitations_page(team.id),
        "admin",
        changes=False,
    ),
    "RevokeInvitation(viewer)": ManagementMethod(revoke("viewer"), "admin", changes=True),
    "RevokeInvitation(owner)": ManagementMethod(revoke("owner"), "owner", changes=True),
    "ChangeMemberRole(viewer to editor)": ManagementMethod(
        change_role("target", "editor"), "admin", changes=True
    ),
    "ChangeMemberRole(viewer to owner)": ManagementMethod(
        change_role("target", "owner"), "owner", changes=True
    ),
    "ChangeMemberRole(owner to admin)": ManagementMethod(
        change_role("second_owner", "admin"), "owner", changes=True
    ),
    "RemoveMember(viewer)": ManagementMethod(remove("target"), "admin", changes=True),
    "RemoveMember(owner)": ManagementMethod(remove("second_owner"), "owner", changes=True),
    "LeaveTenant": ManagementMethod(
        lambda team, actor, _: actor.tenants.leave(team.id), "viewer", changes=True
    ),
    "SwitchTenant": ManagementMethod(
        lambda team, actor, _: actor.tenants.switch(team.id), "viewer", changes=False
    ),
    "DeleteTenant": ManagementMethod(
        lambda team, actor, _: actor.tenants.delete(team.id), "owner", changes=True
    ),
}


@pytest.mark.parametrize("name", MANAGEMENT_METHODS)
async def test_tenant_methods_by_role(
    suite: InProcessSuite, client: ChorusClient, name: str
) -> None:
    method = MANAGEMENT_METHODS[name]

    async def outcome(role: str) -> Outcome:
        team = await new_team(client, team_with(role), switched=False)
        outsider = await new_user(client, "outsider")
        for pending in PENDING_ROLES:
            email = unique_email(f"pending-{pending}")
            await team["owner"].tenants.invite(team.id, email, ROLES[pending])
        before = await tenant_state(suite, team.id)
        status = await status_of(method.call(team, team["actor"], outsider))
        invited = [invitation.tenant.id for invitation in await outsider.tenants.invitations()]
        invites = status == OK and name.startswith("InviteMember")
        assert invited == ([team.id] if invites else []), role
        return status, await tenant_state(suite, team.id) != before

    assert await outcomes_by_role(outcome) == expected_outcomes(method.least, method.changes)


@pytest.mark.parametrize("role", ROLES)
async def test_anyone_may_create_a_tenant_and_list_their_own(
    client: ChorusClient, role: str
) -> None:
    team = await new_team(client, ONE_OF_EACH_ROLE, switched=False)
    member = team[role]

    created = await member.tenants.create("Side project")

    memberships = await my_tenants(member)
    assert memberships[team.id] == ROLES[role]
    assert memberships[created.id] == auth_pb.ROLE_OWNER
