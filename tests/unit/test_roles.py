"""The role vocabulary comes from the contract, and the policy table is ordered."""

import itertools

import pytest

from chorus.auth.v1 import auth_service_pb2 as pb
from chorus_core.errors import PermissionDenied
from chorus_core.roles import (
    POLICY,
    ROLE_MESSAGES,
    Permission,
    allows,
    require,
    require_manager,
)


def test_every_role_of_the_contract_has_a_name_and_a_policy() -> None:
    declared = {value for value in pb.Role.values() if value != pb.ROLE_UNSPECIFIED}
    assert set(ROLE_MESSAGES.values()) == declared
    assert list(ROLE_MESSAGES) == ["owner", "admin", "editor", "viewer"]
    assert set(POLICY) == set(ROLE_MESSAGES)


def test_a_stronger_role_may_do_everything_a_weaker_one_may() -> None:
    ranked = list(ROLE_MESSAGES)
    for stronger, weaker in itertools.pairwise(ranked):
        assert POLICY[weaker] < POLICY[stronger], (stronger, weaker)


def test_a_refusal_says_which_role_may_not_do_what() -> None:
    require("editor", Permission.CHANGE_RESOURCES)
    with pytest.raises(PermissionDenied) as refused:
        require("viewer", Permission.CHANGE_RESOURCES)
    assert str(refused.value) == (
        "a tenant viewer may not create, change and delete the tenant's resources"
    )


def test_unknown_roles_may_do_nothing() -> None:
    assert not any(allows("superuser", permission) for permission in Permission)
    assert not any(allows("", permission) for permission in Permission)


MANAGES = {
    ("owner", "owner"): True,
    ("owner", "viewer"): True,
    ("admin", "owner"): False,
    ("admin", "admin"): True,
    ("admin", "viewer"): True,
    ("editor", "viewer"): False,
    ("viewer", "viewer"): False,
}


@pytest.mark.parametrize(("actor", "target"), MANAGES, ids=[f"{a}-{t}" for a, t in MANAGES])
def test_who_manages_whom(actor: str, target: str) -> None:
    if MANAGES[actor, target]:
        require_manager(actor, target)
    else:
        with pytest.raises(PermissionDenied):
            require_manager(actor, target)
