"""Walk a Kong declarative document and validate each entity where it stands.

Nested lists (a service's routes, any entity's plugins) are taken apart here so every
entity is validated on its own and every problem is reported with its full path.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from authgate.config.certificates import Certificate, Sni, certificate_issues
from authgate.config.entities import Consumer, PluginEntry, Route, Service
from authgate.config.issues import ConfigIssue
from authgate.config.service_url import expand_url
from authgate.config.translate import issues_from_validation_error, unknown_field_message
from authgate.config.upstreams import Target, Upstream, upstream_issues

__all__ = ["FORMAT_VERSIONS", "ID_NAMESPACE", "Document", "Record", "read_document"]

FORMAT_VERSIONS = ("1.1", "2.1", "3.0")
# uuid5 namespace of generated ids: the same config always yields the same ids.
ID_NAMESPACE = uuid.UUID("6f1d3c4e-5b0a-5c8e-9d7f-2a4b6c8e0f13")

_ROOT_KEYS = frozenset(
    {
        "_format_version", "_transform", "services", "routes", "consumers", "plugins",
        "upstreams", "targets", "certificates", "snis",
    }
)  # fmt: skip
_UNSUPPORTED = {
    "root": (
        "ca_certificates", "vaults", "keys",
        "key_sets", "consumer_groups", "keyauth_credentials", "basicauth_credentials",
        "jwt_secrets", "acls", "oauth2_credentials", "hmacauth_credentials",
        "mtls_auth_credentials", "_workspace",
    ),
    "service": ("client_certificate", "tls_verify", "tls_verify_depth", "ca_certificates"),
    "route": ("snis", "sources", "destinations"),
    "consumer": (
        "keyauth_credentials", "basicauth_credentials", "jwt_secrets", "acls",
        "oauth2_credentials", "hmacauth_credentials", "mtls_auth_credentials", "groups",
    ),
    "plugin": ("ordering",),
    "upstream": (
        "client_certificate", "hash_on_cookie", "hash_on_query_arg", "hash_fallback_query_arg",
        "hash_on_uri_capture", "hash_fallback_uri_capture",
    ),
    "target": (),
    "certificate": (),
    "sni": (),
}  # fmt: skip
# Kong fields authgate accepts only with their default value (deck dumps write them out).
_DEFAULT_ONLY: dict[str, dict[str, object]] = {
    "upstream": {"hash_on_cookie_path": "/", "use_srv_name": False},
}
# Kong < 3.0 treated a path with regex characters as a regex; such files are migrated.
_PLAIN_PATH = re.compile(r"[A-Za-z0-9.\-_~/%]*")

M = TypeVar("M", bound=BaseModel)


@dataclass
class Record(Generic[M]):
    """One entity as written: where it is, its validated model (None if invalid), its parent."""

    path: str
    model: M | None
    generated_id: bool
    parent: Record[Any] | None = None
    scope: str | None = None  # what the parent is: "service", "route" or "consumer"
    keys: dict[str, str] = field(default_factory=dict)  # identifying values as written
    refs: dict[str, str] = field(default_factory=dict)  # references to other entities as written


@dataclass
class Document:
    """Every entity of a document, validated but with references not yet resolved."""

    services: list[Record[Service]] = field(default_factory=list)
    routes: list[Record[Route]] = field(default_factory=list)
    consumers: list[Record[Consumer]] = field(default_factory=list)
    plugins: list[Record[PluginEntry]] = field(default_factory=list)
    upstreams: list[Record[Upstream]] = field(default_factory=list)
    targets: list[Record[Target]] = field(default_factory=list)
    certificates: list[Record[Certificate]] = field(default_factory=list)
    snis: list[Record[Sni]] = field(default_factory=list)
    issues: list[ConfigIssue] = field(default_factory=list)


def read_document(data: object, plugin_schemas: Mapping[str, type[BaseModel]]) -> Document:
    """Validate every entity of ``data``; problems go to ``Document.issues``."""
    walker = _Walker(dict(plugin_schemas))
    walker.root(data)
    return walker.doc


class _Walker:
    def __init__(self, plugin_schemas: dict[str, type[BaseModel]]) -> None:
        self.doc = Document()
        self.context = {"plugin_schemas": plugin_schemas}
        self.legacy_paths = False

    def issue(self, path: str, message: str) -> None:
        self.doc.issues.append(ConfigIssue(path, message))

    def root(self, data: object) -> None:
        if data is None:
            self.issue("", 'the config is empty; start it with _format_version: "3.0"')
            return
        if not isinstance(data, dict):
            self.issue("", 'the config must be a mapping with _format_version: "3.0" at the top')
            return
        self.check_format(data)
        for key in data:
            if key in _UNSUPPORTED["root"]:
                self.issue(str(key), "not supported by authgate yet; remove it")
            elif key not in _ROOT_KEYS:
                self.issue(str(key), unknown_field_message(str(key), _ROOT_KEYS))
        for index, item in enumerate(self.items(data, "services")):
            self.service(item, f"services[{index}]")
        for index, item in enumerate(self.items(data, "routes")):
            self.route(item, f"routes[{index}]", None)
        for index, item in enumerate(self.items(data, "consumers")):
            self.consumer(item, f"consumers[{index}]")
        for index, item in enumerate(self.items(data, "plugins")):
            self.plugin(item, f"plugins[{index}]", None)
        for index, item in enumerate(self.items(data, "upstreams")):
            self.upstream(item, f"upstreams[{index}]")
        for index, item in enumerate(self.items(data, "targets")):
            self.target(item, f"targets[{index}]", None)
        for index, item in enumerate(self.items(data, "certificates")):
            self.certificate(item, f"certificates[{index}]")
        for index, item in enumerate(self.items(data, "snis")):
            self.sni(item, f"snis[{index}]", None)

    def check_format(self, data: dict[Any, Any]) -> None:
        version = data.get("_format_version")
        if version is None:
            self.issue("_format_version", 'required; add _format_version: "3.0"')
        elif version not in FORMAT_VERSIONS:
            self.issue("_format_version", f'unsupported {version!r}; use "3.0"')
        self.legacy_paths = version in ("1.1", "2.1")
        if "_transform" in data and not isinstance(data["_transform"], bool):
            self.issue("_transform", "must be true or false")

    def items(self, data: dict[Any, Any], key: str, base: str = "") -> list[object]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.issue(f"{base}.{key}" if base else key, "must be a list")
            return []
        return value

    def entity(self, item: object, path: str, kind: str, nested: tuple[str, ...]) -> dict[Any, Any]:
        """A copy of the mapping without its nested lists and unsupported keys ({} if invalid)."""
        if not isinstance(item, dict):
            self.issue(path, "must be a mapping")
            return {}
        data = {key: value for key, value in item.items() if key not in nested}
        for key in _UNSUPPORTED[kind]:
            if data.get(key) not in (None, [], {}):
                self.issue(f"{path}.{key}", "not supported by authgate yet; remove it")
            data.pop(key, None)
        for key, default in _DEFAULT_ONLY.get(kind, {}).items():
            if key in data and data.pop(key) != default:
                self.issue(f"{path}.{key}", "not supported by authgate yet; remove it")
        return data

    def validate(self, model: type[M], data: dict[Any, Any], path: str) -> M | None:
        try:
            return model.model_validate(data, context=self.context)
        except ValidationError as exc:
            self.doc.issues.extend(issues_from_validation_error(exc, path, model.model_fields))
            return None

    def service(self, item: object, path: str) -> None:
        data = self.entity(item, path, "service", ("routes", "plugins"))
        if not isinstance(item, dict):
            return
        self.doc.issues.extend(expand_url(data, path))
        generated = _provide_id(data, "service", data.get("name"), path)
        record = Record(path, self.validate(Service, data, path), generated)
        record.keys = _keys(data, generated, "name")
        self.doc.services.append(record)
        for index, route in enumerate(self.items(item, "routes", path)):
            self.route(route, f"{path}.routes[{index}]", record)
        for index, plugin in enumerate(self.items(item, "plugins", path)):
            self.plugin(plugin, f"{path}.plugins[{index}]", ("service", record))

    def route(self, item: object, path: str, parent: Record[Service] | None) -> None:
        data = self.entity(item, path, "route", ("plugins",))
        if not isinstance(item, dict):
            return
        if parent is not None and "service" in data:
            self.issue(f"{path}.service", "remove it; a nested route belongs to its parent service")
            del data["service"]
        if self.legacy_paths:
            _migrate_regex_paths(data)
        generated = _provide_id(data, "route", data.get("name"), path)
        model = self.validate(Route, data, path)
        record = Record(path, model, generated, parent, "service" if parent else None)
        record.keys = _keys(data, generated, "name")
        record.refs = _refs(data, "service")
        self.doc.routes.append(record)
        for index, plugin in enumerate(self.items(item, "plugins", path)):
            self.plugin(plugin, f"{path}.plugins[{index}]", ("route", record))

    def consumer(self, item: object, path: str) -> None:
        data = self.entity(item, path, "consumer", ("plugins",))
        if not isinstance(item, dict):
            return
        identity = data.get("username") or data.get("custom_id")
        generated = _provide_id(data, "consumer", identity, path)
        record = Record(path, self.validate(Consumer, data, path), generated)
        record.keys = _keys(data, generated, "username", "custom_id")
        self.doc.consumers.append(record)
        for index, plugin in enumerate(self.items(item, "plugins", path)):
            self.plugin(plugin, f"{path}.plugins[{index}]", ("consumer", record))

    def plugin(self, item: object, path: str, parent: tuple[str, Record[Any]] | None) -> None:
        data = self.entity(item, path, "plugin", ())
        if not isinstance(item, dict):
            return
        if parent is not None and parent[0] in data:
            kind = parent[0]
            self.issue(f"{path}.{kind}", f"remove it; a nested plugin belongs to its {kind}")
            del data[parent[0]]
        data.setdefault("config", {})
        generated = _provide_id(data, "plugin", None, path)
        model = self.validate(PluginEntry, data, path)
        scope, owner = parent if parent is not None else (None, None)
        record = Record(path, model, generated, owner, scope)
        record.keys = _keys(data, generated, "instance_name")
        record.refs = _refs(data, "service", "route", "consumer")
        self.doc.plugins.append(record)

    def upstream(self, item: object, path: str) -> None:
        data = self.entity(item, path, "upstream", ("targets",))
        if not isinstance(item, dict):
            return
        generated = _provide_id(data, "upstream", data.get("name"), path)
        record = Record(path, self.validate(Upstream, data, path), generated)
        record.keys = _keys(data, generated, "name")
        self.doc.upstreams.append(record)
        if record.model is not None:
            for key, message in upstream_issues(record.model):
                self.issue(f"{path}.{key}", message)
        for index, target in enumerate(self.items(item, "targets", path)):
            self.target(target, f"{path}.targets[{index}]", record)

    def target(self, item: object, path: str, parent: Record[Upstream] | None) -> None:
        data = self.entity(item, path, "target", ())
        if not isinstance(item, dict):
            return
        if parent is not None and "upstream" in data:
            self.issue(f"{path}.upstream", "remove it; a nested target belongs to its upstream")
            del data["upstream"]
        owner = parent.keys.get("name", parent.path) if parent is not None else None
        upstream = owner or _refs(data, "upstream").get("upstream")
        generated = _provide_id(data, "target", f"{upstream}/{data.get('target')}", path)
        record = Record(path, self.validate(Target, data, path), generated, parent)
        record.scope = "upstream" if parent is not None else None
        record.keys = _keys(data, generated)
        record.refs = _refs(data, "upstream")
        self.doc.targets.append(record)

    def certificate(self, item: object, path: str) -> None:
        data = self.entity(item, path, "certificate", ("snis",))
        if not isinstance(item, dict):
            return
        snis = self.items(item, "snis", path)
        first = snis[0] if snis else None
        generated = _provide_id(data, "certificate", _sni_name(first), path)
        record = Record(path, self.validate(Certificate, data, path), generated)
        record.keys = _keys(data, generated)
        self.doc.certificates.append(record)
        if record.model is not None:
            for key, message in certificate_issues(record.model):
                self.issue(f"{path}.{key}", message)
        for index, sni in enumerate(snis):
            # Kong's shorthand: a certificate's snis may be plain names.
            entry = {"name": sni} if isinstance(sni, str) else sni
            self.sni(entry, f"{path}.snis[{index}]", record)

    def sni(self, item: object, path: str, parent: Record[Certificate] | None) -> None:
        data = self.entity(item, path, "sni", ())
        if not isinstance(item, dict):
            return
        if parent is not None and "certificate" in data:
            self.issue(f"{path}.certificate", "remove it; a nested sni belongs to its certificate")
            del data["certificate"]
        generated = _provide_id(data, "sni", _sni_name(data), path)
        model = self.validate(Sni, data, path)
        record = Record(path, model, generated, parent, "certificate" if parent else None)
        record.keys = _keys(data, generated)
        if model is not None:
            record.keys["name"] = model.name  # names are matched without case
        record.refs = _refs(data, "certificate")
        self.doc.snis.append(record)


def _sni_name(item: object) -> str | None:
    """The name of an SNI written as a name or a mapping (None if it has none)."""
    name = item.get("name") if isinstance(item, dict) else item
    return name.lower() if isinstance(name, str) else None


def _provide_id(data: dict[Any, Any], kind: str, key: object, path: str) -> bool:
    """Give ``data`` a stable id if it has none; True when the id was generated."""
    if "id" in data:
        return False
    seed = f"{kind}:name:{key}" if isinstance(key, str) and key else f"{kind}:at:{path}"
    data["id"] = str(uuid.uuid5(ID_NAMESPACE, seed))
    return True


def _keys(data: dict[Any, Any], generated_id: bool, *fields: str) -> dict[str, str]:
    """The identifying values of an entity (a generated id only repeats with its name)."""
    names = fields if generated_id else ("id", *fields)
    return {name: data[name] for name in names if isinstance(data.get(name), str)}


def _refs(data: dict[Any, Any], *fields: str) -> dict[str, str]:
    """References as written: ``x``, ``{name: x}`` or ``{id: x}`` (others are reported)."""
    refs = {}
    for name in fields:
        value = data.get(name)
        if isinstance(value, dict) and len(value) == 1:
            value = value.get("name", value.get("id"))
        if isinstance(value, str):
            refs[name] = value
    return refs


def _migrate_regex_paths(data: dict[Any, Any]) -> None:
    paths = data.get("paths")
    if isinstance(paths, list):
        data["paths"] = [
            f"~{p}" if isinstance(p, str) and not _PLAIN_PATH.fullmatch(p) else p for p in paths
        ]
