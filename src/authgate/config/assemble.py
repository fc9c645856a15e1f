"""Resolve references between entities, check uniqueness and build the final config."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from authgate.config.certificates import Certificate, Sni
from authgate.config.document import ID_NAMESPACE, Document, Record
from authgate.config.entities import PluginEntry, Route
from authgate.config.gateway import GatewayConfig
from authgate.config.issues import ConfigError, ConfigIssue
from authgate.config.upstreams import Target

__all__ = ["assemble"]

_SCOPES = ("service", "route", "consumer")
# Reference -> id of the entity, or None when that entity is itself invalid (already reported).
_Index = dict[str, str | None]


def assemble(doc: Document) -> GatewayConfig:
    """The loaded config, or :class:`ConfigError` with every issue of ``doc`` and of its links."""
    issues = list(doc.issues)
    for records, kind in (
        (doc.services, "service"),
        (doc.routes, "route"),
        (doc.consumers, "consumer"),
        (doc.upstreams, "upstream"),
        (doc.targets, "target"),
        (doc.certificates, "certificate"),
        (doc.snis, "sni"),
    ):
        _check_unique(records, kind, issues)
    services = _index(doc.services, ("id", "name"))
    routes = _index(doc.routes, ("id", "name"))
    consumers = _index(doc.consumers, ("id", "username"))

    linked_routes = [_link_route(record, services, issues) for record in doc.routes]
    linked_plugins = [
        _link_plugin(record, services, routes, consumers, issues) for record in doc.plugins
    ]
    _check_unique(doc.plugins, "plugin", issues)
    _check_plugin_scopes(doc.plugins, linked_plugins, issues)
    _check_anonymous(doc.plugins, consumers, issues)
    upstreams = _index(doc.upstreams, ("id", "name"))
    linked_targets = [_link_target(record, upstreams, issues) for record in doc.targets]
    _check_target_addresses(doc.targets, linked_targets, issues)
    certificate_ids = {r.model.id for r in doc.certificates if r.model is not None}
    certificate_ids.update(r.keys["id"] for r in doc.certificates if "id" in r.keys)
    linked_snis = [_link_sni(record, certificate_ids, issues) for record in doc.snis]
    if issues:
        raise ConfigError(issues)
    return GatewayConfig(
        services=[r.model for r in doc.services if r.model is not None],
        routes=[r for r in linked_routes if r is not None],
        consumers=[r.model for r in doc.consumers if r.model is not None],
        plugins=[p for p in linked_plugins if p is not None],
        upstreams=[r.model for r in doc.upstreams if r.model is not None],
        targets=[t for t in linked_targets if t is not None],
        certificates=_with_sni_names(doc.certificates, linked_snis),
        snis=[s for s in linked_snis if s is not None],
    )


def _check_unique(records: Sequence[Record[Any]], kind: str, issues: list[ConfigIssue]) -> None:
    """An issue for each id or name already used by an earlier entity of the same kind."""
    seen: dict[tuple[str, str], str] = {}
    for record in records:
        for field, value in record.keys.items():
            first = seen.setdefault((field, value), record.path)
            if first != record.path:
                message = f'{kind} {field} "{value}" is already used by {first}'
                issues.append(ConfigIssue(f"{record.path}.{field}", message))


def _index(records: Sequence[Record[Any]], fields: tuple[str, ...]) -> _Index:
    index: _Index = {}
    for record in records:
        entity_id = getattr(record.model, "id", None)
        if entity_id is not None:
            index.setdefault(entity_id, entity_id)
        for field in fields:
            value = record.keys.get(field)
            if value is not None:
                index.setdefault(value, entity_id)
    return index


def _resolve(
    ref: str | None, index: _Index, what: str, path: str, issues: list[ConfigIssue]
) -> str | None:
    if ref is None:
        return None
    if ref not in index:
        known = ", ".join(sorted(k for k in index if not _is_uuid(k))) or "none"
        issues.append(ConfigIssue(path, f'no {what} "{ref}" (known: {known})'))
        return None
    return index[ref]


def _link_route(record: Record[Route], services: _Index, issues: list[ConfigIssue]) -> Route | None:
    if record.parent is not None:
        service_id = getattr(record.parent.model, "id", None)
    else:
        where = f"{record.path}.service"
        service_id = _resolve(record.refs.get("service"), services, "service", where, issues)
    if record.model is None:
        return None
    return record.model.model_copy(update={"service": service_id})


def _link_plugin(
    record: Record[PluginEntry],
    services: _Index,
    routes: _Index,
    consumers: _Index,
    issues: list[ConfigIssue],
) -> PluginEntry | None:
    path, refs = record.path, record.refs
    scope: dict[str, Any] = {
        key: _resolve(refs.get(key), index, key, f"{path}.{key}", issues)
        for key, index in (("service", services), ("route", routes), ("consumer", consumers))
    }
    plugin = record.model
    if plugin is None:
        return None
    if record.scope is not None and record.parent is not None:
        scope[record.scope] = getattr(record.parent.model, "id", None)
        if scope[record.scope] is None:
            return None  # its parent is invalid (reported)
    if any(getattr(plugin, key) is not None and scope[key] is None for key in _SCOPES):
        return None  # a reference did not resolve (reported)
    if record.generated_id:
        parts = ("plugin", plugin.name, plugin.instance_name, *scope.values())
        scope["id"] = str(uuid.uuid5(ID_NAMESPACE, ":".join(str(p) for p in parts)))
    return plugin.model_copy(update=scope)


def _link_target(
    record: Record[Target], upstreams: _Index, issues: list[ConfigIssue]
) -> Target | None:
    if record.parent is not None:
        upstream_id = getattr(record.parent.model, "id", None)
    else:
        ref = record.refs.get("upstream")
        where = f"{record.path}.upstream"
        if ref is None and record.model is not None:
            issues.append(ConfigIssue(where, "required; name the target's upstream"))
        upstream_id = _resolve(ref, upstreams, "upstream", where, issues)
    if record.model is None or upstream_id is None:
        return None
    return record.model.model_copy(update={"upstream": upstream_id})


def _link_sni(
    record: Record[Sni], certificate_ids: set[str], issues: list[ConfigIssue]
) -> Sni | None:
    if record.parent is not None:
        certificate_id = getattr(record.parent.model, "id", None)
    else:
        ref = record.refs.get("certificate")
        where = f"{record.path}.certificate"
        certificate_id = ref if ref in certificate_ids else None
        if ref is None and record.model is not None:
            issues.append(ConfigIssue(where, "required; give the id of the sni's certificate"))
        elif ref is not None and certificate_id is None:
            issues.append(ConfigIssue(where, f'no certificate with id "{ref}"'))
    if record.model is None or certificate_id is None:
        return None
    return record.model.model_copy(update={"certificate": certificate_id})


def _with_sni_names(
    records: Sequence[Record[Certificate]], snis: Sequence[Sni | None]
) -> list[Certificate]:
    """The certificates with ``snis`` listing every name served with each (Kong's shape)."""
    names: dict[str, list[str]] = {}
    for sni in snis:
        if sni is not None and sni.certificate is not None:
            names.setdefault(sni.certificate, []).append(sni.name)
    return [
        r.model.model_copy(update={"snis": names.get(r.model.id, [])})
        for r in records
        if r.model is not None
    ]


def _check_target_addresses(
    records: Sequence[Record[Target]], targets: Sequence[Target | None], issues: list[ConfigIssue]
) -> None:
    """Kong keeps one target per address in an upstream."""
    seen: dict[tuple[str | None, str], str] = {}
    for record, target in zip(records, targets, strict=True):
        if target is None:
            continue
        first = seen.setdefault((target.upstream, target.target), record.path)
        if first != record.path:
            message = f'target "{target.target}" is already in this upstream ({first})'
            issues.append(ConfigIssue(f"{record.path}.target", message))


def _check_plugin_scopes(
    records: Sequence[Record[PluginEntry]],
    plugins: Sequence[PluginEntry | None],
    issues: list[ConfigIssue],
) -> None:
    """Kong allows one instance of a plugin per (service, route, consumer) scope."""
    seen: dict[tuple[str | None, ...], str] = {}
    for record, plugin in zip(records, plugins, strict=True):
        if plugin is None:
            continue
        key = (plugin.name, plugin.service, plugin.route, plugin.consumer)
        first = seen.setdefault(key, record.path)
        if first != record.path:
            message = f'plugin "{plugin.name}" is already configured for this scope by {first}'
            issues.append(ConfigIssue(f"{record.path}.name", message))


def _check_anonymous(
    records: Sequence[Record[PluginEntry]], consumers: _Index, issues: list[ConfigIssue]
) -> None:
    """Kong's auth plugins name their fallback consumer in ``config.anonymous``: it must exist."""
    for record in records:
        anonymous = getattr(getattr(record.model, "config", None), "anonymous", None)
        if isinstance(anonymous, str) and anonymous:
            _resolve(anonymous, consumers, "consumer", f"{record.path}.config.anonymous", issues)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
