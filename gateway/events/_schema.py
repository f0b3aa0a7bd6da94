"""What an event looks like on the wire, and how a batch is judged event by event.

Every event is flat: the envelope (`event_id`, `type`, `member_id`, `occurred_at`)
plus the fields of its type. `type` picks the model (a discriminated union), so a
problem is reported against the fields that type really has. Unknown keys are
refused everywhere: a misspelt field must not be dropped without a word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

# Ids end up inside Redis key names: no glob characters, no braces (hash tags).
_ID = r"^[A-Za-z0-9_.:@-]+$"
EventId = Annotated[str, Field(min_length=1, max_length=128, pattern=_ID)]
MemberId = Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
Ref = Annotated[str, Field(min_length=1, max_length=64)]
Money = Annotated[Decimal, Field(ge=0, le=1_000_000, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Envelope(_Strict):
    event_id: EventId
    member_id: MemberId
    occurred_at: AwareDatetime  # a naive time would be read in the server's zone: refused


class PurchaseItem(_Strict):
    product_id: Ref | None = None
    category: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    quantity: int = Field(ge=1, le=10_000)
    amount: Money

    @model_validator(mode="after")
    def _names_what_was_bought(self) -> PurchaseItem:
        if self.product_id is None and self.category is None:
            raise ValueError("an item needs a product_id or a category")
        return self


class PurchaseEvent(_Envelope):
    type: Literal["purchase"]
    store_id: Ref
    items: list[PurchaseItem] = Field(min_length=1, max_length=200)
    total: Money  # not checked against the items: tax and discounts differ by store


class AppOpenEvent(_Envelope):
    type: Literal["app_open"]


class LocationPingEvent(_Envelope):
    type: Literal["location_ping"]
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    zone: Ref | None = None

    @model_validator(mode="after")
    def _says_where(self) -> LocationPingEvent:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        if self.lat is None and self.zone is None:
            raise ValueError("a location ping needs lat and lon, or a zone")
        return self


class StoreEnteredEvent(_Envelope):
    type: Literal["store_entered"]
    store_id: Ref


class RedemptionEvent(_Envelope):
    type: Literal["redemption"]
    offer_id: Ref
    store_id: Ref


Event = Annotated[
    PurchaseEvent | AppOpenEvent | LocationPingEvent | StoreEnteredEvent | RedemptionEvent,
    Field(discriminator="type"),
]
EVENT_TYPES = ("purchase", "app_open", "location_ping", "store_entered", "redemption")
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


@dataclass(frozen=True)
class Rejection:
    """One refused event: where it was in the batch and why."""

    index: int
    reason: str
    event_id: str | None = None


@dataclass(frozen=True)
class TimeWindow:
    """How far from the server's clock `occurred_at` may be.

    Older than `max_age` is refused because the duplicate check only remembers
    ids that long: a late retry of an older event could otherwise count twice.
    """

    max_age: timedelta
    max_ahead: timedelta

    def problem(self, occurred_at: datetime, now: datetime) -> str | None:
        if occurred_at > now + self.max_ahead:
            return f"occurred_at: more than {_span(self.max_ahead)} ahead of the server's clock"
        if occurred_at < now - self.max_age:
            return f"occurred_at: older than the {_span(self.max_age)} duplicate-detection window"
        return None


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} s"


def judge_batch(
    raw_events: list[object], *, window: TimeWindow, now: datetime
) -> tuple[list[tuple[int, Event]], list[Rejection]]:
    """Validate each event on its own: the good ones go on, each bad one is named by index."""
    good: list[tuple[int, Event]] = []
    rejected: list[Rejection] = []
    for index, raw in enumerate(raw_events):
        try:
            event = EVENT_ADAPTER.validate_python(raw)
        except ValidationError as e:
            rejected.append(Rejection(index, describe(e), _event_id_of(raw)))
            continue
        problem = window.problem(event.occurred_at, now)
        if problem is not None:
            rejected.append(Rejection(index, problem, event.event_id))
        else:
            good.append((index, event))
    return good, rejected


_TYPE_PROBLEMS = {
    "union_tag_invalid": "unknown event type; expected one of " + ", ".join(EVENT_TYPES),
    "union_tag_not_found": "missing; expected one of " + ", ".join(EVENT_TYPES),
}


def describe(error: ValidationError) -> str:
    """`items.0.amount: Input should be ...; store_id: Field required`."""
    problems = []
    for err in error.errors():
        if err["type"] in _TYPE_PROBLEMS:
            problems.append(f"type: {_TYPE_PROBLEMS[err['type']]}")
            continue
        loc = list(err["loc"])
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]  # the union's tag, already implied by `type`
        where = ".".join(str(part) for part in loc) or "event"
        problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)


def _event_id_of(raw: object) -> str | None:
    if isinstance(raw, dict):
        event_id = raw.get("event_id")
        if isinstance(event_id, str) and len(event_id) <= 128:
            return event_id
    return None
