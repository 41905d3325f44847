"""The routes table is the single source of truth: every row is wired to its own handler."""

import importlib
import re
from collections import Counter

import pytest

from agentgate.platform.tenancy import Caller
from agentgate.routes import GRANTS, ROUTES

FUNCTIONS = sorted({route.handler for route in ROUTES})


def _registered(module_name: str) -> set[str]:
    app = importlib.import_module(f"functions.{module_name}").app
    return {f"{r.method} {r.path}" for r in app._static_routes + app._dynamic_routes}


def _powertools_path(path: str) -> str:
    return re.sub(r"{(\w+)}", r"<\1>", path)


def test_each_route_is_unique_and_has_its_own_handler_module():
    keys = Counter(route.key for route in ROUTES)
    handlers = Counter(route.handler for route in ROUTES)
    assert [k for k, n in keys.items() if n > 1] == []
    assert [h for h, n in handlers.items() if n > 1] == [], "two routes share one function"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_handler_module_registers_exactly_its_own_route(route):
    assert _registered(route.handler) == {f"{route.method} {_powertools_path(route.path)}"}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_handler_module_exports_a_callable_handler(route):
    module = importlib.import_module(f"functions.{route.handler}")
    assert callable(module.handler)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.key)
def test_route_rows_are_well_formed(route):
    assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert route.path.startswith("/")
    assert route.grants <= GRANTS, f"unknown grants {route.grants - GRANTS}"
    if route.is_public:
        assert route.callers == {Caller.PUBLIC}, "a public route takes no credentials"
    if Caller.APIKEY in route.callers and Caller.USER not in route.callers:
        assert route.scopes, "an API-key route names its scopes"
    if Caller.AGENT in route.callers:
        assert route.agent_scopes or route.handler in {"authorize"}, "an agent route names its scopes"
