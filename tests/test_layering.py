"""Core stages never import the tools built on them (issue 19: seams)."""
import ast
import pathlib

import slpvec

PACKAGE = pathlib.Path(slpvec.__file__).parent
TOOLS = PACKAGE / "tools"


def _imported_modules(path: pathlib.Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved)."""
    package_parts = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package_parts[:len(package_parts) - node.level + 1] if node.level else ()
            module = ".".join(base + ((node.module,) if node.module else ()))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_core_modules_do_not_import_tools():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if TOOLS in path.parents or path.name in ("cli.py", "__main__.py"):
            continue
        bad = sorted(m for m in _imported_modules(path) if m.startswith("slpvec.tools"))
        if bad:
            offenders.append(f"{path.relative_to(PACKAGE)}: {', '.join(bad)}")
    assert offenders == []


def test_layering_check_sees_a_tool_import(tmp_path):
    cli_imports = _imported_modules(PACKAGE / "cli.py")
    assert "slpvec.tools.validate" in cli_imports
