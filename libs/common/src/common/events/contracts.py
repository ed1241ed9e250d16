"""Typed event contracts: one pydantic model per event type, defined once.

The producer builds the model and emits it (:meth:`common.db.uow.UnitOfWork.emit`); each
consumer parses the same model (:func:`handles`), so a payload's shape is written in one
place and checked on both sides. Models ignore fields they do not know, so that a producer
may add one without breaking its consumers; removing or changing one is a new version
(``….v2``). Every model registers itself in :data:`REGISTRY`, from which the AsyncAPI
catalogue is generated (:mod:`common.contracts.asyncapi`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from common.errors import PermanentEventError
from common.events.envelope import Event

if TYPE_CHECKING:
    from common.db.uow import UnitOfWork

TYPE_PATTERN = re.compile(r"^(?P<producer>[a-z]+)\.[a-z_]+\.[a-z_]+\.v(?P<version>[0-9]+)$")

#: Every contract, by its event type.
REGISTRY: dict[str, type[Contract]] = {}


class Contract(BaseModel):
    """The data of one event type. A subclass sets ``TYPE``
    (``<producer>.<aggregate>.<what happened>.v<version>``) and documents itself and its
    fields: the docstring and the field descriptions are the catalogue's."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TYPE" not in cls.__dict__:
            return  # an abstract base of several contracts
        if not TYPE_PATTERN.match(cls.TYPE):
            raise ValueError(f"{cls.__name__}.TYPE {cls.TYPE!r} is not producer.noun.verb.vN")
        if cls.TYPE in REGISTRY and REGISTRY[cls.TYPE].__qualname__ != cls.__qualname__:
            raise ValueError(f"two contracts for {cls.TYPE}")
        REGISTRY[cls.TYPE] = cls

    @classmethod
    def producer(cls) -> str:
        return cls.TYPE.split(".", 1)[0]

    @classmethod
    def parse(cls, event: Event) -> Self:
        """The event's data as this contract; data that does not fit it will never fit,
        so it is a :class:`~common.errors.PermanentEventError` (a dead letter)."""
        try:
            return cls.model_validate(event.data)
        except ValidationError as exc:
            raise PermanentEventError(
                f"invalid {event.type}: {exc.error_count()} error(s)"
            ) from exc


C = TypeVar("C", bound=Contract)
Handle = Callable[[C, Event, "UnitOfWork"], Awaitable[None]]


class ContractHandler(Generic[C]):
    """A consumer's handler for one contract: called with the parsed data, the envelope
    and the unit of work the consumer owns."""

    def __init__(self, contract: type[C], handle: Handle[C]) -> None:
        self.contract = contract
        self.handle = handle
        self.__name__ = getattr(handle, "__name__", contract.__name__)

    async def __call__(self, event: Event, *, uow: UnitOfWork) -> None:
        await self.handle(self.contract.parse(event), event, uow)


def handles(
    contract: type[C],
) -> Callable[[Handle[C]], ContractHandler[C]]:
    """``@handles(RoundOpened)`` over ``async def on_round_opened(data, event, uow)``."""

    def wrap(handle: Handle[C]) -> ContractHandler[C]:
        return ContractHandler(contract, handle)

    return wrap
