"""The consumer index answers Kong's ``consumer_by`` search: fields in order, first match wins."""

from __future__ import annotations

from authgate.config.consumers import ConsumerIndex
from authgate.config.entities import Consumer

_A = Consumer(id="00000000-0000-4000-8000-00000000000a", username="Alice", custom_id="bob")
_B = Consumer(id="00000000-0000-4000-8000-00000000000b", username="bob")
_C = Consumer(id="00000000-0000-4000-8000-00000000000c", username="alice", custom_id="c-1")
INDEX = ConsumerIndex([_A, _B, _C])


def test_each_field_is_looked_up_exactly() -> None:
    assert INDEX.find(_B.id, ("id",)) is _B
    assert INDEX.find("alice", ("username",)) is _C
    assert INDEX.find("c-1", ("custom_id",)) is _C
    assert INDEX.find("c-1", ("id", "username")) is None
    assert INDEX.find("nobody", ("id", "username", "custom_id")) is None


def test_fields_are_tried_in_the_order_given() -> None:
    assert INDEX.find("bob", ("username", "custom_id")) is _B
    assert INDEX.find("bob", ("custom_id", "username")) is _A


def test_username_ignore_case_takes_the_first_consumer_in_config_order() -> None:
    assert INDEX.find("ALICE", ("username",)) is None
    assert INDEX.find("ALICE", ("username",), username_ignore_case=True) is _A
    assert INDEX.find("alice", ("username",), username_ignore_case=True) is _A
    assert INDEX.find("ALICE", ("custom_id",), username_ignore_case=True) is None
