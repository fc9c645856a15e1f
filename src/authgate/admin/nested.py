"""Kong's nested read paths and tag filters for the entities the gateway holds.

Kong's Admin API (docs: "Admin API", sections Service, Route, Consumer, Plugin, Target,
Certificate, Tags) reaches an entity through its parent as well as directly:
``/services/{service}/routes``, ``/routes/{route}/service``, ``/routes/{route}/plugins``,
``/consumers/{consumer}/plugins``, ``/certificates/{certificate}/snis``,
``/upstreams/{upstream}/targets/{target}``, each with the parent given by id or by name, and
``/plugins/enabled``. Lists filter by ``?tags=a,b`` (every tag) or ``?tags=a/b`` (any tag),
and ``/tags`` lists every tag with the entities that carry it. In DB-less mode these are
read-only, as in Kong; writes go through ``POST /config``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from authgate.admin.entities import ENTITY_KINDS, entity_list, find_model

__all__ = [
    "CHILDREN",
    "MAX_TAGS",
    "Child",
    "TagFilterError",
    "children",
    "filter_by_tags",
    "find_parent",
    "tag_rows",
]

MAX_TAGS = 5
"""Kong refuses a tag filter with more than five tags."""


class TagFilterError(ValueError):
    """A ``tags`` query parameter Kong would refuse (answered with 400)."""


@dataclass(frozen=True)
class Child:
    """A nested path ``/{parent}/{key}/{kind}``: which of ``kind`` belong to the parent."""

    parent: str
    kind: str
    reference: str
    """The child's field that holds the parent's id."""


CHILDREN = (
    Child("services", "routes", "service"),
    Child("services", "plugins", "service"),
    Child("routes", "plugins", "route"),
    Child("consumers", "plugins", "consumer"),
    Child("certificates", "snis", "certificate"),
    Child("upstreams", "targets", "upstream"),
)


def find_parent(config: Any, kind: str, key: str) -> BaseModel | None:
    """The ``kind`` entity whose id or name is ``key``, as a model."""
    return find_model(entity_list(config, kind), kind, key)


def children(config: Any, child: Child, key: str) -> list[BaseModel] | None:
    """The entities of ``child.kind`` whose parent's id or name is ``key``; None: no parent."""
    parent = find_parent(config, child.parent, key)
    if parent is None:
        return None
    parent_id = getattr(parent, "id", None)
    return [e for e in entity_list(config, child.kind) if getattr(e, child.reference) == parent_id]


def filter_by_tags(entities: Sequence[BaseModel], tags: str | None) -> Sequence[BaseModel]:
    """``entities`` that match Kong's ``tags`` filter: ``a,b`` all of them, ``a/b`` any."""
    if tags is None:
        return entities
    if "," in tags and "/" in tags:
        raise TagFilterError("invalid option (tags: cannot mix 'and' and 'or')")
    wanted = tags.replace("/", ",").split(",")
    if not all(wanted):
        raise TagFilterError("invalid option (tags: invalid filter syntax)")
    if len(wanted) > MAX_TAGS:
        raise TagFilterError(f"invalid option (tags: cannot query more than {MAX_TAGS} tags)")
    match: Callable[[Any], bool] = any if "/" in tags else all
    return [e for e in entities if match(t in getattr(e, "tags", ()) for t in wanted)]


def tag_rows(config: Any, only: str | None = None) -> list[dict[str, str]]:
    """Kong's ``/tags`` rows: one per (entity, tag), optionally only for the tag ``only``."""
    rows = []
    for kind in ENTITY_KINDS:
        for entity in entity_list(config, kind):
            for tag in getattr(entity, "tags", ()):
                if only is None or tag == only:
                    rows.append({"entity_name": kind, "entity_id": entity.id, "tag": tag})  # type: ignore[attr-defined]
    return rows
