"""Finding and invoking a function's handler in-process, as Lambda would.

A handler name is a module under ``functions/`` (``health``), as the tables name it; a dotted
name (``tests.fixtures.poison_consumer``) is taken as a full module path, so tests can wire
fixture handlers through the same machinery.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from infra.local.apigw import LambdaContext

Handler = Callable[[Any, Any], Any]
HandlerLoader = Callable[[str], Handler]


def module_path(name: str) -> str:
    return name if "." in name else f"functions.{name}"


def load_handler(name: str) -> Handler:
    module = importlib.import_module(module_path(name))
    handler: Handler = module.handler
    return handler


class FunctionRunner:
    """Invokes handlers one request at a time per function, like one warm Lambda container each.

    Powertools' resolver keeps the current event on the module's ``app``, so two concurrent
    requests to one module would see each other's events; Lambda never does that, nor do we.
    """

    def __init__(self, loader: HandlerLoader = load_handler) -> None:
        self._loader = loader
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def invoke(self, name: str, event: Any, *, timeout_seconds: float = 30.0) -> Any:
        handler = self._loader(name)
        function_name = name.rsplit(".", 1)[-1]
        with self._lock(name):
            return handler(event, LambdaContext(function_name=function_name, timeout_seconds=timeout_seconds))
