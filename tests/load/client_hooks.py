"""Counting AWS calls in a benchmark: hook every botocore client created inside a block."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def hook_new_clients(event_name: str, handler: Callable[..., Any]) -> Iterator[None]:
    """Every botocore client (boto3's and pynamodb's alike) created inside registers ``handler`` for
    ``event_name``; client creation is restored afterwards."""
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        created = original(self, *args, **kwargs)
        created.meta.events.register(event_name, handler)
        return created

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]
    try:
        yield
    finally:
        botocore.session.Session.create_client = original  # type: ignore[method-assign]
