"""The plugin's layers, read from its source: ``idp_client`` < ``rs`` < ``rp`` < ``plugin``.

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a layer may
import its own package, the layers below it and the shared top-level modules; nothing in the
plugin imports the embedded IdP (``authgate.idp``), which is only one of the providers it serves.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import authgate.plugins.openid_connect as plugin_package

PACKAGE = "authgate.plugins.openid_connect"
ROOT = Path(plugin_package.__file__).parent
LAYERS = {"idp_client": 0, "rs": 1, "rp": 2}
# Top-level modules any layer may use; they themselves sit on idp_client at most.
SHARED = {"errors", "schema", "browser_schema", "unsupported", "services"}
# The composition root: may import everything, imported by no layer.
COMPOSITION = {"__init__", "plugin", "access", "field_reference"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join((PACKAGE, *parts))


def _package_of(path: Path) -> str:
    """The package a module's relative imports start from."""
    name = _module_name(path)
    return name.removesuffix(".__init__") if path.name == "__init__.py" else name.rsplit(".", 1)[0]


def _imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in ``source``, wherever it is written."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            if not node.level:
                module = node.module or ""
            else:
                module = f"{base}.{node.module}" if node.module else base
            found.append((node.lineno, module))
            # ``from package import submodule`` imports the submodule too.
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _imports_of(path: Path) -> list[tuple[int, str]]:
    return _imports(path.read_text(), _package_of(path))


def _unit(module: str) -> str:
    """The layer (``rs``, ``rp``, ``idp_client``) or top-level module a plugin module is in."""
    rest = module.removeprefix(PACKAGE).lstrip(".")
    return rest.split(".", 1)[0] if rest else "__init__"


def _allowed(importer: str, imported: str) -> bool:
    if importer in COMPOSITION or imported == importer:
        return True
    if imported in COMPOSITION:
        return False
    if importer in SHARED:
        return imported in SHARED or imported == "idp_client"
    if imported in SHARED:
        return True
    return imported in LAYERS and LAYERS[imported] <= LAYERS[importer]


def _sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def _is_plugin_module(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def _known_submodule(module: str) -> bool:
    """False for names imported *from* a module (a class, a function), true for real modules."""
    rest = module.removeprefix(PACKAGE).lstrip(".").replace(".", "/")
    return not rest or (ROOT / f"{rest}.py").exists() or (ROOT / rest).is_dir()


def test_every_module_is_in_a_layer_or_listed() -> None:
    units = {_unit(_module_name(path)) for path in _sources()}
    assert units <= set(LAYERS) | SHARED | COMPOSITION, units - set(LAYERS) - SHARED - COMPOSITION


def test_the_layer_packages_exist() -> None:
    for layer in LAYERS:
        init = ROOT / layer / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{init} needs a docstring"


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    importer = _unit(_module_name(path))
    violations = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _imports_of(path)
        if _is_plugin_module(module)
        and _known_submodule(module)
        and not _allowed(importer, _unit(module))
    ]
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_nothing_imports_the_embedded_idp(path: Path) -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _imports_of(path)
        if module == "authgate.idp" or module.startswith("authgate.idp.")
    ]
    assert not offending, "\n".join(offending)


def test_the_checker_sees_function_level_and_type_checking_imports() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        f"    from {PACKAGE}.rp.session import Session\n"
        "def late() -> None:\n"
        "    import authgate.idp.server\n"
        "    from ..rp import login\n"
    )
    modules = {name for _, name in _imports(source, f"{PACKAGE}.rs")}
    assert f"{PACKAGE}.rp.session" in modules
    assert "authgate.idp.server" in modules
    assert f"{PACKAGE}.rp.login" in modules
    assert not _allowed("idp_client", _unit(f"{PACKAGE}.rp.session"))
    assert not _allowed("rs", _unit(f"{PACKAGE}.rp"))
    assert not _allowed("rs", _unit(f"{PACKAGE}.plugin"))
    assert _allowed("rp", _unit(f"{PACKAGE}.rs.authenticate"))
