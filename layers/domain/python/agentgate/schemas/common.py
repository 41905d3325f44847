"""Shared shapes: strict request base, money as a decimal string, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from agentgate.data.pages import CURSOR_MAX_LENGTH, DEFAULT_LIMIT, MAX_LIMIT

T = TypeVar("T")

# Money is USD as a decimal string, never a float (API.md).
Money = Annotated[Decimal, PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json")]


class RequestModel(BaseModel):
    """A request body or query: unknown fields are a 400, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Page(ResponseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class PageQuery(RequestModel):
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(default=None, max_length=CURSOR_MAX_LENGTH)


def _sorted_unique(values: list[str]) -> list[str]:
    return sorted(set(values))


# A list of names that means a set (scopes, event types): each kept once, in one order.
SORTED_UNIQUE = AfterValidator(_sorted_unique)
