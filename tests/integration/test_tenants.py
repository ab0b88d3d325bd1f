"""TenantService, method by method: what each does, and how each fails.

Which role may call which method (invite with which role, change or remove
whom, delete) is the table of test_role_matrix.py; here, everything else.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from chorus.auth.v1 import auth_service_pb2 as auth_pb
from chorus.auth.v1 import tenant_service_pb2 as tenant_pb
from chorus.auth.v1 import tenant_service_pb2_grpc as tenant_grpc
from chorus_client import ChorusClient, UserSession
from tests.support.accounts import PASSWORD, unique_email
from tests.support.calls import (
    assert_refresh_fails,
    bearer,
    fails_with,
    refresh,
    sleep_past,
    status_of,
    switch_tenant,
)
from tests.support.databases import BACKENDS
from tests.support.forged_tokens import TokenForge, unverified_claims
from tests.support.in_process import InProcessSuite, running_in_process
from tests.support.service_databases import expire_invitation, tenant_state
from tests.support.songs import add_songs, all_ids, all_songs, invalid_fields, new_user, not_found
from tests.support.tenants import (
    ONE_OF_EACH_ROLE,
    ROLES,
    Team,
    all_memberships,
    join,
    member_roles,
    my_tenants,
    new_team,
    pending_invitations,
    unique_tenant_name,
)

FAILED_PRECONDITION = grpc.StatusCode.FAILED_PRECONDITION
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


async def personal_tenant_id(user: UserSession) -> str:
    return (await user.who_am_i()).tenant_id


# CreateTenant


async def test_create_makes_the_caller_its_only_member_and_owner(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    before = datetime.now(UTC) - timedelta(seconds=1)

    tenant = await jane.tenants.create("  The Band ")

    assert str(uuid.UUID(tenant.id)) == tenant.id
    assert (tenant.name, tenant.personal) == ("The Band", False)
    assert tenant.create_time.ToDatetime(tzinfo=UTC) >= before
    assert await member_roles(jane, tenant.id) == {jane.user.email: "owner"}


@pytest.mark.parametrize("name", ["", "   ", "x" * 201], ids=["empty", "blank", "too long"])
async def test_create_needs_a_name(client: ChorusClient, name: str) -> None:
    jane = await new_user(client, "jane")
    assert await invalid_fields(jane.tenants.create(name)) == {"name"}
    assert len(await my_tenants(jane)) == 1


# ListMyTenants


async def test_my_tenants_are_the_personal_one_then_those_joined_with_my_roles(
    client: ChorusClient,
) -> None:
    team = await new_team(client, {"editor": "editor", "viewer": "viewer"}, switched=False)
    editor, viewer = team["editor"], team["viewer"]
    own = await editor.tenants.create(unique_tenant_name())
    await join(editor, viewer, own.id, "admin")

    editors = [(m.tenant.id, m.role, m.tenant.personal) for m in await all_memberships(editor)]
    viewers = [(m.tenant.id, m.role, m.tenant.personal) for m in await all_memberships(viewer)]

    assert editors == [
        (await personal_tenant_id(editor), auth_pb.ROLE_OWNER, True),
        (team.id, auth_pb.ROLE_EDITOR, False),
        (own.id, auth_pb.ROLE_OWNER, False),
    ]
    assert viewers == [
        (await personal_tenant_id(viewer), auth_pb.ROLE_OWNER, True),
        (team.id, auth_pb.ROLE_VIEWER, False),
        (own.id, auth_pb.ROLE_ADMIN, False),
    ]


async def test_my_tenants_page_by_page(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    for _ in range(4):
        await jane.tenants.create(unique_tenant_name())

    first, token = await jane.tenants.page(2)
    second, token2 = await jane.tenants.page(2, token)
    third, last_token = await jane.tenants.page(2, token2)

    assert [len(first), len(second), len(third)] == [2, 2, 1]
    assert token
    assert token2
    assert last_token == ""
    paged = [m.tenant.id for m in first + second + third]
    assert paged == list(await my_tenants(jane))
    assert len(set(paged)) == 5


# ListMembers


async def test_members_page_by_page_in_the_order_they_joined(client: ChorusClient) -> None:
    team = await new_team(client, ONE_OF_EACH_ROLE, switched=False)
    latecomer = await new_user(client, "latecomer")
    await join(team["owner"], latecomer, team.id, "viewer")

    first, token = await team["admin"].tenants.members_page(team.id, 3)
    rest, last_token = await team["admin"].tenants.members_page(team.id, 3, token)

    assert (len(first), len(rest), last_token) == (3, 2, "")
    members = first + rest
    assert {(m.user_id, m.email, m.role) for m in members} == {
        (user.user.id, user.user.email, ROLES[role]) for role, user in team.members.items()
    } | {(latecomer.user.id, latecomer.user.email, auth_pb.ROLE_VIEWER)}
    assert (members[0].user_id, members[-1].user_id) == (team["owner"].user.id, latecomer.user.id)
    order = [(m.join_time.ToDatetime(), m.user_id) for m in members]
    assert order == sorted(order)


@pytest.mark.parametrize("page_token", ["not-a-token", "e30"], ids=["garbage", "empty json"])
async def test_a_bad_page_token_is_invalid(client: ChorusClient, page_token: str) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    assert await invalid_fields(jane.tenants.members_page(tenant.id, 1, page_token)) == {
        "page_token"
    }
    assert await invalid_fields(jane.tenants.page(1, page_token)) == {"page_token"}


# InviteMember


async def test_an_invitation_names_tenant_email_role_and_expiry(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    email = f"Someone-{uuid.uuid4().hex[:6]}@Example.com"

    invitation = await jane.tenants.invite(tenant.id, email, auth_pb.ROLE_EDITOR)

    assert str(uuid.UUID(invitation.id)) == invitation.id
    assert (invitation.tenant.id, invitation.tenant.name) == (tenant.id, tenant.name)
    assert invitation.email.lower() == email.lower()
    assert invitation.role == auth_pb.ROLE_EDITOR
    expires_in = invitation.expire_time.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < expires_in <= timedelta(days=7)


async def test_nobody_can_be_invited_to_a_personal_tenant(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    message = await fails_with(
        FAILED_PRECONDITION,
        jane.tenants.invite(await personal_tenant_id(jane), "x@example.com", auth_pb.ROLE_VIEWER),
    )
    assert message == (
        "a personal tenant has exactly one member: create a shared tenant to work with others"
    )


@pytest.mark.parametrize("spelling", [str.lower, str.upper], ids=["same", "other case"])
async def test_a_member_cannot_be_invited_again(
    client: ChorusClient, spelling: Callable[[str], str]
) -> None:
    team = await new_team(client, {"viewer": "viewer"}, switched=False)
    email = spelling(team["viewer"].user.email)

    message = await fails_with(
        grpc.StatusCode.ALREADY_EXISTS, team["owner"].tenants.invite(team.id, email, ROLES["admin"])
    )
    # The address as the service normalised it (the domain in lower case).
    assert message.lower() == f"{email} is already a member of this tenant".lower()
    assert await team["viewer"].tenants.invitations() == []


@pytest.mark.parametrize("email", ["", "no-at-sign", "two@@example.com", "a@b@c.com"])
async def test_an_invitation_needs_a_valid_email(client: ChorusClient, email: str) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    fields = await invalid_fields(jane.tenants.invite(tenant.id, email, auth_pb.ROLE_VIEWER))
    assert fields == {"email"}


@pytest.mark.parametrize("role", [auth_pb.ROLE_UNSPECIFIED, 99], ids=["unspecified", "unknown"])
async def test_an_invitation_needs_a_role(client: ChorusClient, role: int) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    fields = await invalid_fields(
        jane.tenants.invite(tenant.id, "x@example.com", role)  # type: ignore[arg-type]
    )
    assert fields == {"role"}


# ListMyInvitations and AcceptInvitation


async def test_invitations_are_listed_for_the_invitee_only(client: ChorusClient) -> None:
    jane, john, jim = [await new_user(client, name) for name in ("jane", "john", "jim")]
    tenant = await jane.tenants.create(unique_tenant_name())

    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_VIEWER)

    assert [i.id for i in await john.tenants.invitations()] == [invitation.id]
    assert await jane.tenants.invitations() == []
    assert await jim.tenants.invitations() == []


async def test_inviting_again_renews_the_open_invitation(client: ChorusClient) -> None:
    jane, john = [await new_user(client, name) for name in ("jane", "john")]
    tenant = await jane.tenants.create(unique_tenant_name())
    first = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_VIEWER)

    again = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_EDITOR)

    [listed] = await john.tenants.invitations()
    assert (again.id, listed.id) == (first.id, first.id)
    assert listed.role == auth_pb.ROLE_EDITOR
    assert listed.expire_time.ToDatetime() >= first.expire_time.ToDatetime()


async def test_an_invitation_waits_for_its_email_to_sign_up(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    email = unique_email("later")
    invitation = await jane.tenants.invite(tenant.id, email, auth_pb.ROLE_EDITOR)

    newcomer = await client.sign_up(email, PASSWORD)

    assert [i.id for i in await newcomer.tenants.invitations()] == [invitation.id]


async def test_accepting_joins_with_the_invited_role(client: ChorusClient) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_EDITOR)

    membership = await john.tenants.accept(invitation.id)

    assert (membership.tenant.id, membership.role) == (tenant.id, auth_pb.ROLE_EDITOR)
    assert (await my_tenants(john))[tenant.id] == auth_pb.ROLE_EDITOR
    assert await member_roles(jane, tenant.id) == {
        jane.user.email: "owner",
        john.user.email: "editor",
    }
    assert await john.tenants.invitations() == []
    assert (await john.who_am_i()).tenant_id != tenant.id, "accepting does not switch"


async def test_an_invitation_for_someone_else_is_not_found(client: ChorusClient) -> None:
    jane, john, jim = [await new_user(client, name) for name in ("jane", "john", "jim")]
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_OWNER)
    absent = str(uuid.uuid4())

    message = await not_found(jim.tenants.accept(invitation.id))
    missing = await not_found(jim.tenants.accept(absent))
    await not_found(jane.tenants.accept(invitation.id))

    assert message.replace(invitation.id, "<id>") == missing.replace(absent, "<id>")
    assert missing == f"invitation {absent} not found (or expired)"
    assert tenant.id not in await my_tenants(jim)
    assert (await john.tenants.accept(invitation.id)).role == auth_pb.ROLE_OWNER


async def test_an_invitation_is_accepted_once(client: ChorusClient) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_VIEWER)
    await john.tenants.accept(invitation.id)

    await not_found(john.tenants.accept(invitation.id))


async def test_an_expired_invitation_is_neither_listed_nor_accepted(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_EDITOR)

    await expire_invitation(suite, invitation.id)

    assert await john.tenants.invitations() == []
    await not_found(john.tenants.accept(invitation.id))
    assert tenant.id not in await my_tenants(john)


# ListInvitations and RevokeInvitation (who may call them: test_role_matrix.py)


async def pending_ids(user: UserSession, tenant_id: str) -> list[str]:
    return [i.id for i in await pending_invitations(user, tenant_id)]


async def test_pending_invitations_name_email_role_inviter_and_times(
    client: ChorusClient,
) -> None:
    team = await new_team(client, {"admin": "admin"}, switched=False)
    before = datetime.now(UTC) - timedelta(seconds=1)
    by_owner = await team["owner"].tenants.invite(team.id, "a@example.com", auth_pb.ROLE_EDITOR)
    by_admin = await team["admin"].tenants.invite(team.id, "b@example.com", auth_pb.ROLE_VIEWER)

    listed = await pending_invitations(team["admin"], team.id)

    assert [i.id for i in listed] == [by_owner.id, by_admin.id], "oldest first"
    assert [(i.email, i.role, i.inviter_email) for i in listed] == [
        ("a@example.com", auth_pb.ROLE_EDITOR, team["owner"].user.email),
        ("b@example.com", auth_pb.ROLE_VIEWER, team["admin"].user.email),
    ]
    for invitation in listed:
        assert invitation.tenant.id == team.id
        created = invitation.create_time.ToDatetime(tzinfo=UTC)
        assert before <= created <= datetime.now(UTC)
        assert invitation.expire_time.ToDatetime(tzinfo=UTC) - created == timedelta(days=7)
    assert (by_admin.inviter_email, by_admin.create_time) == (
        listed[1].inviter_email,
        listed[1].create_time,
    )


async def test_accepted_and_expired_invitations_are_not_pending(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    accepted = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_VIEWER)
    expired = await jane.tenants.invite(tenant.id, "gone@example.com", auth_pb.ROLE_VIEWER)
    pending = await jane.tenants.invite(tenant.id, "open@example.com", auth_pb.ROLE_VIEWER)

    await john.tenants.accept(accepted.id)
    await expire_invitation(suite, expired.id)

    assert await pending_ids(jane, tenant.id) == [pending.id]


async def test_pending_invitations_page_by_page(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    tenant = await jane.tenants.create(unique_tenant_name())
    made = [
        (await jane.tenants.invite(tenant.id, f"n{n}@example.com", auth_pb.ROLE_VIEWER)).id
        for n in range(5)
    ]

    first, token = await jane.tenants.tenant_invitations_page(tenant.id, page_size=2)
    assert [i.id for i in first] == made[:2]
    assert token
    assert await pending_ids(jane, tenant.id) == made
    assert [i.id for i in await pending_invitations(jane, tenant.id, page_size=2)] == made


async def test_a_revoked_invitation_cannot_be_accepted_or_seen(client: ChorusClient) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_EDITOR)

    await jane.tenants.revoke_invitation(tenant.id, invitation.id)

    assert await john.tenants.invitations() == []
    assert await pending_ids(jane, tenant.id) == []
    await not_found(john.tenants.accept(invitation.id))
    await not_found(jane.tenants.revoke_invitation(tenant.id, invitation.id))
    assert tenant.id not in await my_tenants(john)


async def test_another_tenants_invitation_is_not_found(client: ChorusClient) -> None:
    jane, jim = await new_user(client, "jane"), await new_user(client, "jim")
    janes = await jane.tenants.create(unique_tenant_name())
    jims = await jim.tenants.create(unique_tenant_name())
    invitation = await jim.tenants.invite(jims.id, "x@example.com", auth_pb.ROLE_VIEWER)
    absent = str(uuid.uuid4())

    message = await not_found(jane.tenants.revoke_invitation(janes.id, invitation.id))
    missing = await not_found(jane.tenants.revoke_invitation(janes.id, absent))
    assert missing == f"invitation {absent} not found (or expired)"

    assert message.replace(invitation.id, "<id>") == missing.replace(absent, "<id>")
    assert await pending_ids(jim, jims.id) == [invitation.id]


async def test_an_accepted_invitation_cannot_be_revoked(client: ChorusClient) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    tenant = await jane.tenants.create(unique_tenant_name())
    invitation = await jane.tenants.invite(tenant.id, john.user.email, auth_pb.ROLE_EDITOR)
    await john.tenants.accept(invitation.id)

    await not_found(jane.tenants.revoke_invitation(tenant.id, invitation.id))
    assert (await my_tenants(john))[tenant.id] == auth_pb.ROLE_EDITOR


# ChangeMemberRole


async def test_changing_a_role(client: ChorusClient) -> None:
    team = await new_team(client, {"editor": "editor"}, switched=False)
    editor = team["editor"].user

    member = await team["owner"].tenants.change_role(team.id, editor.id, auth_pb.ROLE_VIEWER)

    assert (member.user_id, member.email, member.role) == (
        editor.id,
        editor.email,
        auth_pb.ROLE_VIEWER,
    )
    assert (await member_roles(team["owner"], team.id))[editor.email] == "viewer"
    assert (await my_tenants(team["editor"]))[team.id] == auth_pb.ROLE_VIEWER


async def test_the_last_owner_cannot_be_demoted(client: ChorusClient) -> None:
    team = await new_team(client, {"admin": "admin"}, switched=False)
    owner, admin = team["owner"], team["admin"]

    message = await fails_with(
        FAILED_PRECONDITION, owner.tenants.change_role(team.id, owner.user.id, auth_pb.ROLE_ADMIN)
    )
    assert message == "the last owner cannot be demoted: make someone else owner first"

    await owner.tenants.change_role(team.id, admin.user.id, auth_pb.ROLE_OWNER)
    await owner.tenants.change_role(team.id, owner.user.id, auth_pb.ROLE_ADMIN)
    await fails_with(
        FAILED_PRECONDITION, admin.tenants.change_role(team.id, admin.user.id, auth_pb.ROLE_EDITOR)
    )
    assert await member_roles(owner, team.id) == {
        owner.user.email: "admin",
        admin.user.email: "owner",
    }


async def test_changing_the_role_of_a_non_member_is_not_found(client: ChorusClient) -> None:
    team = await new_team(client, switched=False)
    stranger = await new_user(client, "stranger")
    for user_id in (stranger.user.id, str(uuid.uuid4()), "not-an-id"):
        message = await not_found(
            team["owner"].tenants.change_role(team.id, user_id, auth_pb.ROLE_VIEWER)
        )
        assert message == f"user {user_id} is not a member of this tenant"
    assert team.id not in await my_tenants(stranger)


async def test_a_tenant_i_am_not_in_is_not_found(client: ChorusClient) -> None:
    team = await new_team(client, switched=False)
    stranger = await new_user(client, "stranger")
    for tenant_id in (team.id, str(uuid.uuid4())):
        message = await not_found(stranger.tenants.members_page(tenant_id))
        assert message == f"tenant {tenant_id} not found"


async def test_the_token_of_a_user_who_is_gone_has_no_invitations(suite: InProcessSuite) -> None:
    """A validly signed token whose user is not (or no longer) in the auth database."""
    forge = TokenForge.for_suite(suite, user_id=str(uuid.uuid4()), tenant_id=str(uuid.uuid4()))
    metadata = bearer(forge.token())
    async with grpc.aio.insecure_channel(suite.auth_target) as channel:
        stub = tenant_grpc.TenantServiceStub(channel)
        calls = (
            stub.ListMyInvitations(tenant_pb.ListMyInvitationsRequest(), metadata=metadata),
            stub.AcceptInvitation(
                tenant_pb.AcceptInvitationRequest(invitation_id=str(uuid.uuid4())),
                metadata=metadata,
            ),
        )
        for call in calls:
            assert await not_found(call) == "the user of this access token no longer exists"


async def test_a_role_change_needs_a_role(client: ChorusClient) -> None:
    team = await new_team(client, {"viewer": "viewer"}, switched=False)
    change = team["owner"].tenants.change_role(
        team.id, team["viewer"].user.id, auth_pb.ROLE_UNSPECIFIED
    )
    assert await invalid_fields(change) == {"role"}


# RemoveMember and LeaveTenant


async def test_removal_ends_the_members_sessions_in_the_tenant(client: ChorusClient) -> None:
    team = await new_team(client, {"editor": "editor"})
    editor = team["editor"]
    elsewhere = await client.login(editor.user.email, PASSWORD)  # in the personal tenant

    await team["owner"].tenants.remove(team.id, editor.user.id)

    assert editor.user.email not in await member_roles(team["owner"], team.id)
    await not_found(editor.tenants.members_page(team.id))
    assert team.id not in await my_tenants(elsewhere)
    await join(team["owner"], elsewhere, team.id, "editor")
    await assert_refresh_fails(client, editor.tokens.refresh_token)  # ended, even after rejoining
    await elsewhere.tokens.refresh()


async def test_leaving_ends_my_sessions_in_the_tenant(client: ChorusClient) -> None:
    team = await new_team(client, {"viewer": "viewer"})
    viewer = team["viewer"]
    elsewhere = await client.login(viewer.user.email, PASSWORD)

    await viewer.tenants.leave(team.id)

    assert team.id not in await my_tenants(viewer)
    assert viewer.user.email not in await member_roles(team["owner"], team.id)
    await join(team["owner"], elsewhere, team.id, "viewer")
    await assert_refresh_fails(client, viewer.tokens.refresh_token)  # ended, even after rejoining


async def test_the_last_owner_can_neither_leave_nor_be_removed(client: ChorusClient) -> None:
    team = await new_team(client, {"admin": "admin"})
    owner = team["owner"]

    for refused in (owner.tenants.leave(team.id), owner.tenants.remove(team.id, owner.user.id)):
        message = await fails_with(FAILED_PRECONDITION, refused)
        assert message == "the last owner cannot be removed: make someone else owner first"

    await owner.tenants.change_role(team.id, team["admin"].user.id, auth_pb.ROLE_OWNER)
    await owner.tenants.leave(team.id)
    assert await member_roles(team["admin"], team.id) == {team["admin"].user.email: "owner"}


OwnersRace = Callable[[Team], list[Awaitable[object]]]
"""Two calls of the two owners of a team, each of which would leave the other the last owner."""

OWNERS_RACES: dict[str, OwnersRace] = {
    "both leave": lambda team: [
        team["owner"].tenants.leave(team.id),
        team["second"].tenants.leave(team.id),
    ],
    "each removes the other": lambda team: [
        team["owner"].tenants.remove(team.id, team["second"].user.id),
        team["second"].tenants.remove(team.id, team["owner"].user.id),
    ],
    "each demotes the other": lambda team: [
        team["owner"].tenants.change_role(team.id, team["second"].user.id, auth_pb.ROLE_ADMIN),
        team["second"].tenants.change_role(team.id, team["owner"].user.id, auth_pb.ROLE_ADMIN),
    ],
}


@pytest.mark.parametrize("race", OWNERS_RACES.values(), ids=OWNERS_RACES.keys())
async def test_two_owners_at_once_still_leave_an_owner(
    suite: InProcessSuite, client: ChorusClient, race: OwnersRace
) -> None:
    """Changes to one tenant's members take turns (its row is locked), so the
    second change sees the first: the other is gone (NOT_FOUND), no longer an
    owner (PERMISSION_DENIED) or the last owner (FAILED_PRECONDITION)."""
    team = await new_team(client, {"second": "owner"}, switched=False)

    codes = await asyncio.gather(*(status_of(call) for call in race(team)))

    assert [code.name for code in codes].count("OK") == 1, codes
    roles = (await tenant_state(suite, team.id)).roles
    assert list(roles.values()).count("owner") == 1


async def test_a_personal_tenant_cannot_be_left(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    await fails_with(FAILED_PRECONDITION, jane.tenants.leave(await personal_tenant_id(jane)))


async def test_removing_a_non_member_is_not_found(client: ChorusClient) -> None:
    team = await new_team(client, switched=False)
    stranger = await new_user(client, "stranger")
    await not_found(team["owner"].tenants.remove(team.id, stranger.user.id))


# SwitchTenant


async def test_switching_issues_tokens_for_the_tenant_and_role(client: ChorusClient) -> None:
    team = await new_team(client, {"viewer": "viewer"}, switched=False)
    viewer = team["viewer"]
    personal = await personal_tenant_id(viewer)
    old_refresh_token = viewer.tokens.refresh_token

    membership = await viewer.tenants.switch(team.id)

    assert (membership.tenant.id, membership.role) == (team.id, auth_pb.ROLE_VIEWER)
    claims = unverified_claims(viewer.tokens.access_token)
    assert (claims["sub"], claims["tid"], claims["role"]) == (viewer.user.id, team.id, "viewer")
    assert viewer.tokens.refresh_token != old_refresh_token
    me = await viewer.who_am_i()
    assert (me.tenant_id, me.role) == (team.id, auth_pb.ROLE_VIEWER)

    await viewer.tokens.refresh()
    assert unverified_claims(viewer.tokens.access_token)["tid"] == team.id, "refresh stays"
    await viewer.tenants.switch(personal)
    assert unverified_claims(viewer.tokens.access_token)["role"] == "owner"


async def test_songs_follow_the_switch(client: ChorusClient) -> None:
    team = await new_team(client, {"editor": "editor"}, switched=False)
    editor, owner = team["editor"], team["owner"]
    personal = await personal_tenant_id(editor)
    personal_songs = await add_songs(editor, 1)

    await editor.tenants.switch(team.id)
    team_songs = await add_songs(editor, 2)
    await owner.tenants.switch(team.id)

    assert await all_ids(editor) == team_songs
    assert await all_ids(owner) == team_songs
    await editor.tenants.switch(personal)
    assert await all_ids(editor) == personal_songs


async def test_switching_to_a_foreign_tenant_is_not_found_and_keeps_the_session(
    client: ChorusClient,
) -> None:
    jane, john = await new_user(client, "jane"), await new_user(client, "john")
    janes_band = await jane.tenants.create(unique_tenant_name())
    tokens_before = (john.tokens.access_token, john.tokens.refresh_token)

    for tenant_id in (janes_band.id, await personal_tenant_id(jane), str(uuid.uuid4())):
        await not_found(john.tenants.switch(tenant_id))

    assert (john.tokens.access_token, john.tokens.refresh_token) == tokens_before
    session = await refresh(client, tokens_before[1])  # the refresh token was not used up
    assert unverified_claims(session.access_token)["tid"] == await personal_tenant_id(john)


async def test_switching_with_another_users_refresh_token_fails(
    suite: InProcessSuite, client: ChorusClient
) -> None:
    team = await new_team(client, {"viewer": "viewer"}, switched=False)
    owner, viewer = team["owner"], team["viewer"]

    error = await fails_with(
        grpc.StatusCode.UNAUTHENTICATED,
        switch_tenant(
            suite, bearer(viewer.tokens.access_token), team.id, owner.tokens.refresh_token
        ),
    )

    assert "refresh token" in error
    await owner.tokens.refresh()  # the owner's session is intact


# DeleteTenant


async def test_deleting_a_tenant_removes_it_for_everyone(client: ChorusClient) -> None:
    team = await new_team(client, ONE_OF_EACH_ROLE)
    invitee = await new_user(client, "invitee")
    await team["owner"].tenants.invite(team.id, invitee.user.email, auth_pb.ROLE_VIEWER)

    await team["owner"].tenants.delete(team.id)

    for member in team.members.values():
        assert team.id not in await my_tenants(member)
        await not_found(member.tenants.members_page(team.id))
        await assert_refresh_fails(client, member.tokens.refresh_token)  # acting in it: ended
    assert await invitee.tenants.invitations() == []


async def test_a_personal_tenant_cannot_be_deleted(client: ChorusClient) -> None:
    jane = await new_user(client, "jane")
    personal = await personal_tenant_id(jane)
    await fails_with(FAILED_PRECONDITION, jane.tenants.delete(personal))
    assert personal in await my_tenants(jane)


# A non-member learns nothing

TenantCall = Callable[[UserSession, str, str], Awaitable[object]]
"""A TenantService call naming a tenant, given the caller, a tenant id and a member's id."""

TENANT_CALLS: dict[str, TenantCall] = {
    "ListMembers": lambda user, tenant_id, _: user.tenants.members_page(tenant_id),
    "InviteMember": lambda user, tenant_id, _: user.tenants.invite(
        tenant_id, "new@example.com", auth_pb.ROLE_VIEWER
    ),
    "ListInvitations": lambda user, tenant_id, _: user.tenants.tenant_invitations_page(tenant_id),
    "RevokeInvitation": lambda user, tenant_id, _: user.tenants.revoke_invitation(
        tenant_id, str(uuid.uuid4())
    ),
    "ChangeMemberRole": lambda user, tenant_id, member_id: user.tenants.change_role(
        tenant_id, member_id, auth_pb.ROLE_VIEWER
    ),
    "RemoveMember": lambda user, tenant_id, member_id: user.tenants.remove(tenant_id, member_id),
    "LeaveTenant": lambda user, tenant_id, _: user.tenants.leave(tenant_id),
    "SwitchTenant": lambda user, tenant_id, _: user.tenants.switch(tenant_id),
    "DeleteTenant": lambda user, tenant_id, _: user.tenants.delete(tenant_id),
}


@pytest.mark.parametrize("call", TENANT_CALLS.values(), ids=TENANT_CALLS.keys())
async def test_a_non_member_gets_not_found_as_for_a_missing_tenant(
    client: ChorusClient, call: TenantCall
) -> None:
    team = await new_team(client, {"editor": "editor"}, switched=False)
    stranger = await new_user(client, "stranger")
    member_id = team["editor"].user.id
    absent = str(uuid.uuid4())

    foreign = await not_found(call(stranger, team.id, member_id))
    missing = await not_found(call(stranger, absent, member_id))

    assert foreign.replace(team.id, "<id>") == missing.replace(absent, "<id>")
    assert await member_roles(team["owner"], team.id) == {
        team["owner"].user.email: "owner",
        team["editor"].user.email: "editor",
    }


# Role changes reach the resource service


async def test_a_role_change_reaches_songs_with_the_next_refresh(client: ChorusClient) -> None:
    """The bound: an access token keeps the role it was issued with until it expires
    (5 minutes by default); the next refresh carries the new one."""
    team = await new_team(client, {"editor": "editor"})
    editor = team["editor"]
    await team["owner"].tenants.change_role(team.id, editor.user.id, auth_pb.ROLE_VIEWER)

    await editor.songs.create("Still allowed", "Old token")  # the token says editor

    await editor.tokens.refresh()
    assert unverified_claims(editor.tokens.access_token)["role"] == "viewer"
    await fails_with(PERMISSION_DENIED, editor.songs.create("Refused", "New token"))
    assert [song.name for song in await all_songs(editor)] == ["Still allowed"]


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_role_change_reaches_songs_within_the_access_token_lifetime(
    backend: str, tmp_path: Path
) -> None:
    """With 1-second access tokens, the client's own refresh brings the new role."""
    async with (
        running_in_process(backend, tmp_path, access_token_ttl=timedelta(seconds=1)) as suite,
        ChorusClient(suite.auth_target, suite.resource_target) as client,
    ):
        team = await new_team(client, {"editor": "editor"})
        editor = team["editor"]
        expiry = datetime.fromtimestamp(unverified_claims(editor.tokens.access_token)["exp"], UTC)

        await team["owner"].tenants.change_role(team.id, editor.user.id, auth_pb.ROLE_VIEWER)
        await sleep_past(expiry)

        await fails_with(PERMISSION_DENIED, editor.songs.create("Refused", "Expired role"))
