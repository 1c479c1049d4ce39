"""Every runtime dependency in pyproject.toml is used by Postdeck: imported,
named in settings, or run as a command. An unused one is only something more
to install, audit and keep up to date."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Used without their import name appearing in Postdeck's own files.
INDIRECT = {
    # Django's PostgreSQL backend imports it (DATABASE_URL=postgres://...).
    "psycopg": "the PostgreSQL driver behind django.db.backends.postgresql",
}


def _sources() -> str:
    files = [
        path
        for path in ROOT.rglob("*")
        if path.is_file()
        and (path.suffix == ".py" or path.name in {"Procfile", "Makefile"})
        and not {".venv", ".git", "node_modules"} & set(path.relative_to(ROOT).parts)
        and path != Path(__file__).resolve()
    ]
    return "\n".join(path.read_text(errors="replace") for path in files)


def test_every_runtime_dependency_is_used():
    # given
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    import_names: dict[str, set[str]] = {}
    for module, distributions in packages_distributions().items():
        for distribution in distributions:
            import_names.setdefault(distribution.lower(), set()).add(module)
    sources = _sources()
    # when
    unused = []
    for requirement in dependencies:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
        if name in INDIRECT:
            continue
        modules = import_names.get(name, set()) | {name.replace("-", "_")}
        if not any(
            re.search(rf"\b{re.escape(module)}\b", sources) for module in modules
        ):
            unused.append(name)
    # then
    assert unused == []
