"""Finding and invoking a function's handler in-process, as Lambda would.

A handler name is a module under ``functions/`` (``health``), as the tables name it; a dotted
name (``tests.fixtures.poison_consumer``) is taken as a full module path, so tests can wire
fixture handlers through the same machinery.
"""

from __future__ import annotations

import importlib
import logging
import threading
import traceback
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


def poll_until_stopped(
    label: str, poll_once: Callable[[], int], stop: threading.Event, idle_seconds: float
) -> None:
    """Drive a poller like an event source mapping: poll again at once while there is work, rest when idle.

    A poller outlives one bad read (the log says why), as the managed event sources do.
    """
    log = logging.getLogger("infra.local.pollers")
    while not stop.is_set():
        try:
            busy = poll_once() > 0
        except Exception:  # noqa: BLE001 - see the docstring
            log.error("%s: %s", label, traceback.format_exc())
            busy = False
        if not busy:
            stop.wait(idle_seconds)
