"""The role matrix: every user route by every role is either allowed or 403 ``insufficient_role``.

What each role may do is the ``role`` column of the routes table; this walks the whole of it.
"""

import re

import pytest

from agentgate.platform.api import check_access
from agentgate.platform.errors import Forbidden
from agentgate.platform.tenancy import Caller, Principal, Role, TenantContext
from agentgate.routes import ROUTES
from tests.support.api import call
from tests.support.identity import as_role, new_tenant

USER_ROUTES = [r for r in ROUTES if Caller.USER in r.callers]
MATRIX = [(route, role) for route in USER_ROUTES for role in Role]
_PARAM = re.compile(r"{(\w+)}")

# API.md's minimum role for the identity routes, restated: the table must say the same.
IDENTITY_MINIMUM = {
    "auth_logout": Role.VIEWER,
    "orgs_profile_get": Role.VIEWER,
    "orgs_profile_update": Role.ADMIN,
    "members_list": Role.VIEWER,
    "members_invite": Role.ADMIN,
    "members_update": Role.ADMIN,
    "members_remove": Role.ADMIN,
    "api_keys_create": Role.ADMIN,
    "api_keys_list": Role.ADMIN,
    "api_keys_revoke": Role.ADMIN,
    "agents_create": Role.MEMBER,
    "agents_list": Role.VIEWER,
    "agents_get": Role.VIEWER,
    "agents_update": Role.MEMBER,
    "agents_delete": Role.MEMBER,
    "agents_pause": Role.TEAM_LEAD,
    "agents_resume": Role.TEAM_LEAD,
    "audit_list": Role.ADMIN,
    "audit_verify": Role.ADMIN,
    "audit_sign": Role.ADMIN,
}


def _ctx(role: Role) -> TenantContext:
    return TenantContext("ten_matrix", Principal(kind=Caller.USER, id="u-matrix", role=role))


def _allowed(route, role) -> bool:
    return route.role is None or role.at_least(route.role)


def test_the_identity_routes_need_the_roles_api_md_names():
    table = {r.handler: r.role for r in ROUTES if r.handler in IDENTITY_MINIMUM}

    assert table == IDENTITY_MINIMUM


@pytest.mark.parametrize(("route", "role"), MATRIX, ids=[f"{r.key}-as-{role.value}" for r, role in MATRIX])
def test_each_role_is_allowed_or_refused_with_insufficient_role(route, role):
    if _allowed(route, role):
        check_access(route, _ctx(role))  # raises Forbidden if the role were refused
        return
    with pytest.raises(Forbidden) as refused:
        check_access(route, _ctx(role))
    assert refused.value.code == "insufficient_role"
    # Through the handler too: access is checked before the body, so even an empty body is a 403, not a 400.
    path_params = {name: "x" for name in _PARAM.findall(route.path)}
    reply = call(route.method, route.path, path_params=path_params, raw_body="{", ctx=_ctx(role))
    assert reply.status == 403, reply.text
    assert reply.json["error"]["code"] == "insufficient_role"


READ_ROUTES = [
    r for r in USER_ROUTES if r.method == "GET" and r.handler in IDENTITY_MINIMUM and "{" not in r.path
]


@pytest.mark.parametrize("route", READ_ROUTES, ids=lambda r: r.key)
def test_the_lowest_allowed_role_really_gets_an_answer(aws, route):
    _, owner = new_tenant()

    reply = call(route.method, route.path, ctx=as_role(owner, route.role))

    assert reply.status == 200, reply.text


def test_a_viewer_cannot_create_an_agent_but_a_member_can(aws):
    _, owner = new_tenant()

    viewer = call("POST", "/api/v1/agents", body={"name": "bot"}, ctx=as_role(owner, Role.VIEWER))
    member = call("POST", "/api/v1/agents", body={"name": "bot"}, ctx=as_role(owner, Role.MEMBER))

    assert viewer.status == 403 and viewer.json["error"]["code"] == "insufficient_role"
    assert member.status == 201
