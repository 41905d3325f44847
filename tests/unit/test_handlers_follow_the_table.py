"""Every handler takes its route from the routes table: path, method, status, request and response models."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any, get_args, get_type_hints

import pytest
from pydantic import BaseModel

from agentgate.platform.api import resolver_path
from agentgate.routes import ROUTES, Route

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
ROWS = [r for r in ROUTES if (FUNCTIONS / f"{r.handler}.py").exists()]


def _model(name: str) -> type[BaseModel]:
    module, cls = name.split(":")
    model: type[BaseModel] = getattr(importlib.import_module(f"agentgate.schemas.{module}"), cls)
    return model


def _registered(row: Route) -> Any:
    app = importlib.import_module(f"functions.{row.handler}").app
    found = [
        r
        for r in app._static_routes + app._dynamic_routes
        if (r.method, r.path) == (row.method, resolver_path(row.path))
    ]
    assert len(found) == 1, f"{row.key} is not registered by functions/{row.handler}.py"
    return found[0]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_the_handler_serves_exactly_its_rows_path_method_and_status(row):
    route = _registered(row)
    assert route.status_code == row.status
    app = importlib.import_module(f"functions.{row.handler}").app
    served = {(r.method, r.path) for r in app._static_routes + app._dynamic_routes}
    assert served == {(r.method, resolver_path(r.path)) for r in ROWS if r.handler == row.handler}


def _parsing_sources(row: Route) -> str:
    """The handler's source and that of the services it calls (a body read raw is parsed there)."""
    module = importlib.import_module(f"functions.{row.handler}")
    sources = [inspect.getsource(module)]
    sources += [inspect.getsource(v) for v in vars(module).values() if inspect.ismodule(v)]
    return "\n".join(sources)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.key)
def test_the_handlers_request_body_model_is_the_tables(row):
    hints = get_type_hints(_registered(row).func)
    bodies = [
        t
        for name, hint in hints.items()
        if name != "return"
        for t in (get_args(hint) or (hint,))  # an optional body: Model | None
        if inspect.isclass(t) and issubclass(t, BaseModel)
    ]
    if row.request_model is None:
        assert bodies == [], f"{row.key} parses a body the table does not name"
    elif bodies:
        assert bodies == [_model(row.request_model)]
    else:  # an optional or size-checked body, parsed by hand: with the table's model, nowhere else
        name, sources = row.request_model.split(":")[1], _parsing_sources(row)
        parsers = (f"{name}.model_validate", f"parse_form({name},", f"optional_body(app, {name})")
        assert any(parser in sources for parser in parsers)


@pytest.mark.parametrize("row", [r for r in ROWS if r.query_model], ids=lambda r: r.key)
def test_the_handler_parses_its_query_with_the_tables_model(row):
    source = (FUNCTIONS / f"{row.handler}.py").read_text()
    assert f"{row.query_model.split(':')[1]}.model_validate" in source


@pytest.mark.parametrize("row", [r for r in ROWS if r.response_model], ids=lambda r: r.key)
def test_the_handler_returns_the_tables_response_model(row):
    returned = get_type_hints(_registered(row).func).get("return")
    if inspect.isclass(returned) and issubclass(returned, BaseModel):
        assert returned is _model(row.response_model)
