"""The server's layout holds: handlers are module-level functions named after their LSP method and
registered from one table; only convert.py, edit.py and that table build protocol values; nothing
reads a private attribute of a pygls or lsprotocol object or edits pygls's registered features."""

from __future__ import annotations

import ast
import enum
import importlib.util
import inspect
import re
from pathlib import Path

from lsprotocol import types

from tests.conftest import ROOT

SERVER = ROOT / "hscale_ls" / "server"
BUILDERS = {"convert.py", "edit.py", "features.py"}  # features.py: the capability/registration table


def server_modules() -> list[Path]:
    return sorted(SERVER.glob("*.py"))


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


def private_names_of(package: str) -> set[str]:
    """Every `_name` (not `__dunder__`) a package defines: attributes, methods, class fields."""
    names: set[str] = set()
    for path in package_folder(package).rglob("*.py"):
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = node.name
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                name = node.id
            else:
                continue
            if name.startswith("_") and not name.startswith("__"):
                names.add(name)
    return names


def test_the_server_reads_no_private_attribute_of_pygls_or_lsprotocol() -> None:
    private = private_names_of("pygls") | private_names_of("lsprotocol")
    offenders = []
    for path in server_modules():
        for node in ast.walk(parsed(path)):
            name = None
            if isinstance(node, ast.Attribute):
                name = node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"getattr", "setattr", "hasattr"}
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                name = str(node.args[1].value)
            if name in private:
                offenders.append(f"{path.name}:{node.lineno} .{name}")
    assert offenders == []


def test_the_server_never_edits_the_features_pygls_registered() -> None:
    registries = {"features", "feature_options", "builtin_features", "commands"}
    offenders = []
    for path in server_modules():
        for node in ast.walk(parsed(path)):
            target = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in {"pop", "popitem", "clear", "update", "setdefault", "__setitem__"}:
                    target = node.func.value
            elif isinstance(node, ast.Delete | ast.Assign):
                subscripts = node.targets
                target = next((t.value for t in subscripts if isinstance(t, ast.Subscript)), None)
            if isinstance(target, ast.Attribute) and target.attr in registries:
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def lsprotocol_values_built(path: Path) -> list[str]:
    """Calls that construct an lsprotocol.types class (enum members and annotations are fine)."""
    tree = parsed(path)
    modules = (
        {"types"}
        if any(
            isinstance(n, ast.ImportFrom)
            and n.module == "lsprotocol"
            and any(a.name == "types" for a in n.names)
            for n in ast.walk(tree)
        )
        else set()
    )
    imported = {
        alias.asname or alias.name: alias.name
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module == "lsprotocol.types"
        for alias in n.names
    }
    built = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = None
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            if node.func.value.id in modules:
                name = node.func.attr
        elif isinstance(node.func, ast.Name) and node.func.id in imported:
            name = imported[node.func.id]
        value = getattr(types, name, None) if name else None
        if inspect.isclass(value) and not issubclass(value, enum.Enum):
            built.append(f"{path.name}:{node.lineno} {name}")
    return built


def test_only_convert_edit_and_the_registration_table_build_protocol_values() -> None:
    offenders = [
        built
        for path in server_modules()
        if path.name not in BUILDERS
        for built in lsprotocol_values_built(path)
    ]
    assert offenders == []


def test_the_check_above_sees_what_convert_builds() -> None:
    assert any("Diagnostic" in built for built in lsprotocol_values_built(SERVER / "convert.py"))
    assert any("WorkspaceEdit" in built for built in lsprotocol_values_built(SERVER / "edit.py"))


def snake_case(name: str) -> str:
    return re.sub(r"[/.$]", "_", re.sub(r"(?<=[a-z])([A-Z])", r"_\1", name)).lower().strip("_")


def test_handlers_are_module_level_functions_named_after_their_method_and_short() -> None:
    from hscale_ls.server.features import COMMANDS, FEATURES

    handlers = [(f.method, f.handler) for f in FEATURES] + list(COMMANDS.items())
    assert len({method for method, _ in handlers}) == len(handlers)
    for method, handler in handlers:
        assert inspect.isfunction(handler), method
        assert handler.__qualname__ == handler.__name__, (
            f"{method}: {handler.__qualname__} is not module-level"
        )
        assert handler.__name__ == snake_case(method), method
        lines = len(inspect.getsourcelines(handler)[0])
        assert lines <= 40, f"{method}: {lines} lines"


def test_features_are_registered_only_from_the_table() -> None:
    offenders = []
    for path in server_modules():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for decorator in node.decorator_list:
                    call = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if isinstance(call, ast.Attribute) and call.attr in {"feature", "command", "thread"}:
                        offenders.append(f"{path.name}:{node.lineno} {node.name}")
    assert offenders == []
