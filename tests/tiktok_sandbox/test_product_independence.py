"""Nothing in the product imports the sandbox: only config/ wires it in, so the
product runs the same against TikTok with tiktok_sandbox left out."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("workspaces", "media_library", "cms", "tiktok_integration")
SANDBOX = "tiktok_sandbox"
# Calls that import a module named by a string.
IMPORTING_CALLS = {"import_module", "import_string", "include", "__import__"}


def _is_sandbox(module: str) -> bool:
    return module == SANDBOX or module.startswith(SANDBOX + ".")


def _called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def sandbox_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of tiktok_sandbox in ``source``: import
    statements and string imports (import_module, import_string, include)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _is_sandbox(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if _is_sandbox(node.module or ""):
                found.append((node.lineno, node.module or ""))
        elif isinstance(node, ast.Call) and _called_name(node) in IMPORTING_CALLS:
            first = node.args[0] if node.args else None
            name = first.value if isinstance(first, ast.Constant) else None
            if isinstance(name, str) and _is_sandbox(name):
                found.append((node.lineno, name))
    return sorted(found)


def test_the_checker_finds_every_kind_of_sandbox_import():
    source = (
        "import tiktok_sandbox\n"
        "from tiktok_sandbox.models import SandboxCreator\n"
        "import importlib\n"
        "importlib.import_module('tiktok_sandbox.services')\n"
        "path('x/', include('tiktok_sandbox.urls'))\n"
        "from tiktok_integration.client import facts\n"
        "APP_ORDER = ['tiktok_sandbox']\n"
    )
    assert [module for _, module in sandbox_imports(source)] == [
        "tiktok_sandbox",
        "tiktok_sandbox.models",
        "tiktok_sandbox.services",
        "tiktok_sandbox.urls",
    ]


def test_no_product_module_imports_the_sandbox():
    packages = [ROOT / name for name in PRODUCT_PACKAGES if (ROOT / name).is_dir()]
    files = [path for package in packages for path in sorted(package.rglob("*.py"))]
    assert {"media_library", "cms", "tiktok_integration"} <= {p.name for p in packages}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in sandbox_imports(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
