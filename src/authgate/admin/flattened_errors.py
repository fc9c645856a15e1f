"""Kong's ``flatten_errors`` answer: the problems of a refused config, grouped by entity.

``POST /config?flatten_errors=1`` (``kong/api/routes/config.lua``, rendered by
``errors:declarative_config_flattened`` in ``kong/db/errors.lua``) lists, for each entity
with a problem, its type, id, name and tags as the document gives them, and its errors:
``{"type": "field", "field": …, "message": …}`` for a field, ``{"type": "entity", …}`` for
the entity as a whole. Kong's Ingress Controller reads this shape. Problems outside any
entity (``_format_version``, a document that is not a mapping) stay in ``fields`` only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import yaml

from authgate.config import ConfigIssue

__all__ = ["flattened_errors"]

_KINDS = {
    "services": "service",
    "routes": "route",
    "consumers": "consumer",
    "plugins": "plugin",
    "upstreams": "upstream",
    "targets": "target",
    "certificates": "certificate",
    "snis": "sni",
}
_SEGMENT = re.compile(r"([A-Za-z_]+)\[(\d+)\]")
_NAME_KEYS = ("name", "username", "target")


def flattened_errors(text: str, issues: Sequence[ConfigIssue]) -> list[dict[str, Any]]:
    """One entry per entity with a problem, in the order the problems were found."""
    try:
        document: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        document = None
    entries: dict[str, dict[str, Any]] = {}
    for issue in issues:
        located = _entity_path(issue.path)
        if located is None:
            continue
        prefix, kind, field = located
        entry = entries.get(prefix)
        if entry is None:
            entry = entries[prefix] = _entry(kind, _lookup(document, prefix))
        if field:
            entry["errors"].append({"type": "field", "field": field, "message": issue.message})
        else:
            entry["errors"].append({"type": "entity", "message": issue.message})
    return list(entries.values())


def _entity_path(path: str) -> tuple[str, str, str] | None:
    """(path of the innermost entity, its type, the field within it) for an issue's path."""
    found = None
    for match in _SEGMENT.finditer(path):
        if match.group(1) in _KINDS and (match.start() == 0 or path[match.start() - 1] == "."):
            found = match
    if found is None:
        return None
    field = path[found.end() :].lstrip(".")
    return path[: found.end()], _KINDS[found.group(1)], field


def _lookup(document: Any, prefix: str) -> Any:
    node = document
    for key, index in _SEGMENT.findall(prefix):
        if not isinstance(node, dict) or not isinstance(node.get(key), list):
            return None
        items = node[key]
        node = items[int(index)] if int(index) < len(items) else None
    return node


def _entry(kind: str, entity: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"entity_type": kind}
    if isinstance(entity, dict):
        if isinstance(entity.get("id"), str):
            entry["entity_id"] = entity["id"]
        name = next((entity[k] for k in _NAME_KEYS if isinstance(entity.get(k), str)), None)
        if name is not None:
            entry["entity_name"] = name
        if isinstance(entity.get("tags"), list):
            entry["entity_tags"] = entity["tags"]
        entry["entity"] = entity
    entry["errors"] = []
    return entry
