"""Find where each problem of a config is in the YAML (or JSON) text it was read from.

An issue's path (``services[0].routes[1].plugins[0].config.leway``) is followed through the
YAML node tree, key by key; the position reported is the key's, or, when the key is absent
(a required field, a rule about a field left out), that of its nearest ancestor present.
"""

from __future__ import annotations

import re

import yaml

from authgate.config.issues import ConfigError, Position

__all__ = ["locate_issues"]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INDEX = re.compile(r"\[(\d+)\]")


def locate_issues(error: ConfigError, text: str, source: str) -> ConfigError:
    """``error`` with every issue placed in ``text``, reported as from ``source``.

    An error that already names its file (bad YAML, an unreadable file) is returned as is.
    """
    if error.source:
        return error
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        root = None
    if root is None:
        positions = [Position(1, 1)] * len(error.issues)
    else:
        positions = [position_of(root, issue.path) for issue in error.issues]
    return ConfigError(error.issues, source, positions)


def position_of(root: yaml.Node, path: str) -> Position:
    """Line and column of the deepest node of ``path`` present under ``root``."""
    node, mark = root, root.start_mark
    rest = path
    while rest:
        if rest.startswith("."):
            rest = rest[1:]
            continue
        index = _INDEX.match(rest)
        if index is not None:
            position = int(index[1])
            if not isinstance(node, yaml.SequenceNode) or position >= len(node.value):
                break
            node = node.value[position]
            mark, rest = node.start_mark, rest[index.end() :]
            continue
        entry = _entry(node, rest)
        if entry is None:
            break
        key, node = entry
        mark, rest = key.start_mark, rest[len(key.value) :]
    return Position(mark.line + 1, mark.column + 1)


def _entry(node: yaml.Node, rest: str) -> tuple[yaml.ScalarNode, yaml.Node] | None:
    """The (key, value) of mapping ``node`` whose key starts ``rest`` (the longest one)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found: tuple[yaml.ScalarNode, yaml.Node] | None = None
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode) or not rest.startswith(key.value):
            continue
        after = rest[len(key.value) : len(key.value) + 1]
        if after in ("", ".", "[") and (found is None or len(key.value) > len(found[0].value)):
            found = (key, value)
    return found
