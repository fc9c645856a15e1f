"""The IdP's layers as a test: domain <- storage <- protocol <- web, and no gateway imports.

Every ``import`` and ``from ... import`` in ``src/authgate/idp`` (at any depth, including
imports inside functions and ``TYPE_CHECKING`` blocks) is read with :mod:`ast`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

IDP = Path(__file__).resolve().parents[2] / "src" / "authgate" / "idp"
LAYERS = ("domain", "storage", "protocol", "web")
# What each layer may import of the IdP (itself included).
ALLOWED = {layer: set(LAYERS[: i + 1]) for i, layer in enumerate(LAYERS)}
FORBIDDEN = ("authgate.proxy", "authgate.plugins", "authgate.admin", "authgate.cli")


def _module_name(path: Path, idp: Path = IDP) -> str:
    parts = path.relative_to(idp.parents[1]).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, idp: Path = IDP) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, idp)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # ``from authgate.idp import storage`` names a module, too.
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def _layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[:2] != ["authgate", "idp"] or len(parts) < 3:
        return None
    return parts[2] if parts[2] in LAYERS else None


def _violations(idp: Path = IDP) -> list[str]:
    problems: list[str] = []
    for path in sorted(idp.rglob("*.py")):
        where = path.relative_to(idp.parents[1])
        own = _layer(_module_name(path, idp))
        for line, module in _imports(path, idp):
            if module in FORBIDDEN or module.startswith(tuple(f"{m}." for m in FORBIDDEN)):
                problems.append(f"{where}:{line}: the IdP imports the gateway ({module})")
            target = _layer(module)
            if own is not None and target is not None and target not in ALLOWED[own]:
                problems.append(f"{where}:{line}: {own} may not import {target} ({module})")
    return problems


def test_every_module_is_in_a_layer() -> None:
    loose = [str(p.relative_to(IDP)) for p in IDP.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside domain/storage/protocol/web: {loose}"


def test_no_layer_imports_a_later_one_and_no_gateway_imports() -> None:
    assert _violations() == []


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_says_what_it_may_import(layer: str) -> None:
    doc = ast.get_docstring(ast.parse((IDP / layer / "__init__.py").read_text(encoding="utf-8")))
    assert doc
    assert "import" in doc


def test_the_checker_sees_violations(tmp_path: Path) -> None:
    """A self-test of the rule on a made-up tree: upward, relative and gateway imports."""
    idp = tmp_path / "authgate" / "idp"
    (idp / "domain").mkdir(parents=True)
    (idp / "domain" / "bad.py").write_text(
        "from authgate.idp.web import app\n"
        "from ..storage import db\n"
        "from . import records\n"
        "def later() -> None:\n"
        "    import authgate.proxy.server\n",
        encoding="utf-8",
    )
    assert _violations(idp) == [
        "authgate/idp/domain/bad.py:1: domain may not import web (authgate.idp.web)",
        "authgate/idp/domain/bad.py:1: domain may not import web (authgate.idp.web.app)",
        "authgate/idp/domain/bad.py:2: domain may not import storage (authgate.idp.storage)",
        "authgate/idp/domain/bad.py:2: domain may not import storage (authgate.idp.storage.db)",
        "authgate/idp/domain/bad.py:5: the IdP imports the gateway (authgate.proxy.server)",
    ]
