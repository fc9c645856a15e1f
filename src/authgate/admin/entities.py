"""Kong-shaped listings of the configuration's entities: ``{"data": [...], "next": ...}``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from authgate.config import Certificate, GatewayConfig

__all__ = [
    "CONFIG_KINDS",
    "ENTITY_KINDS",
    "PageError",
    "dump_entity",
    "entity_list",
    "find_entity",
    "find_model",
    "page",
]

ENTITY_KINDS = (
    "services",
    "routes",
    "plugins",
    "consumers",
    "upstreams",
    "certificates",
    "snis",
)
"""Kinds with ``GET /{kind}`` and ``GET /{kind}/{id or name}`` (targets: under their upstream)."""
CONFIG_KINDS = (*ENTITY_KINDS, "targets")
"""Kinds listed in the answer to ``POST /config``."""
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class PageError(ValueError):
    """A bad ``size`` or ``offset`` query parameter (answered with 400)."""


def entity_list(config: GatewayConfig, kind: str) -> Sequence[BaseModel]:
    """The entities of one kind, in configuration order."""
    entities: Sequence[BaseModel] = getattr(config, kind)
    return entities


_REFERENCES = ("service", "route", "consumer", "upstream", "certificate")
# Private keys never leave the gateway through the admin API (Kong shows them; we do not).
_PRIVATE = {"key", "key_alt"}


def dump_entity(entity: BaseModel) -> dict[str, Any]:
    """An entity as Kong shows it: references to other entities as ``{"id": ...}``.

    A certificate is shown without its private keys (``key``, ``key_alt``).
    """
    hidden = _PRIVATE if isinstance(entity, Certificate) else None
    data: dict[str, Any] = entity.model_dump(mode="json", exclude=hidden)
    for key in _REFERENCES:
        if isinstance(data.get(key), str):
            data[key] = {"id": data[key]}
    return data


def page(
    entities: Sequence[Any],
    path: str,
    size_text: str | None,
    offset_text: str | None,
    *,
    query: str = "",
    dump: Callable[[Any], dict[str, Any]] = dump_entity,
) -> dict[str, Any]:
    """One page in Kong's shape; ``next`` is the URL of the following page or ``None``.

    ``query`` (``tags=a,b``) is kept in the ``next`` link; ``dump`` renders one item.
    """
    size = DEFAULT_PAGE_SIZE
    if size_text is not None:
        if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
            raise PageError(f"size must be an integer between 1 and {MAX_PAGE_SIZE}")
        size = int(size_text)
    start = 0
    if offset_text is not None:
        if not offset_text.isdigit() or int(offset_text) > len(entities):
            raise PageError("invalid offset")
        start = int(offset_text)
    end = start + size
    data = [dump(entity) for entity in entities[start:end]]
    kept = f"{query}&" if query else ""
    following = f"{path}?{kept}size={size}&offset={end}" if end < len(entities) else None
    result: dict[str, Any] = {"data": data, "next": following}
    if following is not None:
        result["offset"] = str(end)
    return result


# Besides the id, what each kind can be looked up by (plugins: not by their type name,
# which several instances share).
_NAME_FIELDS = {
    "services": "name",
    "routes": "name",
    "consumers": "username",
    "plugins": "instance_name",
    "upstreams": "name",
    "targets": "target",
    "certificates": "id",
    "snis": "name",
}


def find_model(entities: Sequence[BaseModel], kind: str, key: str) -> BaseModel | None:
    """The entity whose id (or name, username) is ``key``; else ``None``."""
    name_field = _NAME_FIELDS[kind]
    for entity in entities:
        if getattr(entity, "id", None) == key or getattr(entity, name_field, None) == key:
            return entity
    return None


def find_entity(entities: Sequence[BaseModel], kind: str, key: str) -> dict[str, Any] | None:
    """The entity whose id (or name, username) is ``key``, as Kong returns it; else ``None``."""
    found = find_model(entities, kind, key)
    return dump_entity(found) if found is not None else None
