"""Consumers looked up by the values a plugin finds in a credential (a claim, a key).

Kong's openid-connect ``consumer_by`` searches ``id``, ``username`` and ``custom_id`` in the
order given; the index answers each in one dictionary lookup, built once per loaded config
instead of a scan of every consumer per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from authgate.config.entities import Consumer

__all__ = ["ConsumerField", "ConsumerIndex"]

ConsumerField = Literal["id", "username", "custom_id"]


class ConsumerIndex:
    """The consumers of one config by id, username (also case-folded) and custom_id."""

    __slots__ = ("_by", "_username_folded")

    def __init__(self, consumers: Iterable[Consumer]) -> None:
        self._by: dict[str, dict[str, Consumer]] = {"id": {}, "username": {}, "custom_id": {}}
        self._username_folded: dict[str, Consumer] = {}
        for consumer in consumers:
            for name, value in (
                ("id", consumer.id),
                ("username", consumer.username),
                ("custom_id", consumer.custom_id),
            ):
                if value is not None:
                    self._by[name].setdefault(value, consumer)
            if consumer.username is not None:
                self._username_folded.setdefault(consumer.username.lower(), consumer)

    def find(
        self,
        value: str,
        fields: Sequence[ConsumerField] = ("id", "username"),
        *,
        username_ignore_case: bool = False,
    ) -> Consumer | None:
        """The first consumer whose ``fields[0]`` equals ``value``, else ``fields[1]``, ...

        With ``username_ignore_case`` the username comparison ignores case (Kong's
        ``by_username_ignore_case``); the first consumer in config order wins.
        """
        for name in fields:
            if name == "username" and username_ignore_case:
                found = self._username_folded.get(value.lower())
            else:
                found = self._by[name].get(value)
            if found is not None:
                return found
        return None
