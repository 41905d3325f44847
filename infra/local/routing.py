"""Matching request paths to the routes table's path templates, as API Gateway's resource tree does.

A literal segment beats a ``{param}`` at the same depth (``/agents/search`` before
``/agents/{id}``); ``{name+}`` is greedy and matches the rest of the path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from agentgate.routes import Route

_PARAM = re.compile(r"^\{(\w+)(\+?)\}$")


@dataclass(frozen=True)
class Match:
    route: Route | None  # None when the path exists but not for this method
    path_parameters: dict[str, str]
    allowed_methods: tuple[str, ...] = ()


def _compile(template: str) -> tuple[re.Pattern[str], tuple[int, ...]]:
    parts, rank = [], []
    for segment in template.strip("/").split("/") if template != "/" else []:
        param = _PARAM.match(segment)
        if param is None:
            parts.append(re.escape(segment))
            rank.append(0)
        elif param.group(2):
            parts.append(f"(?P<{param.group(1)}>.+)")
            rank.append(2)
        else:
            parts.append(f"(?P<{param.group(1)}>[^/]+)")
            rank.append(1)
    return re.compile("^/" + "/".join(parts) + "$"), tuple(rank)


class RouteTable:
    def __init__(self, routes: Iterable[Route]) -> None:
        by_template: dict[str, dict[str, Route]] = {}
        for route in routes:
            by_template.setdefault(route.path, {})[route.method] = route
        compiled = [(template, *_compile(template), methods) for template, methods in by_template.items()]
        # The most literal template first: it is the one API Gateway's resource tree picks.
        self._templates = sorted(compiled, key=lambda item: item[2])

    def match(self, method: str, path: str) -> Match | None:
        """The route for ``method path``; a Match without a route for a wrong method; None when unknown."""
        normalised = "/" + path.strip("/") if path != "/" else "/"
        for _template, pattern, _rank, methods in self._templates:
            found = pattern.match(normalised)
            if found is None:
                continue
            params = {name: unquote(value) for name, value in found.groupdict().items()}
            route = methods.get(method.upper())
            return Match(route, params if route else {}, tuple(sorted(methods)))
        return None
