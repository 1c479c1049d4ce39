"""Architecture: ``publishing/transitions.py`` is the only writer of
``PublishJob.status``.

Every module of the product is parsed with ``ast`` (nothing is imported) and
these writes are looked for:

- ``<…>.status = …`` where the target is a job (its name says "job") or the
  value is a ``PublishJob.Status`` member;
- ``.update(status=…)``, ``.create(status=…)``, ``PublishJob(status=…)`` and
  the like, on a PublishJob queryset or with a ``PublishJob.Status`` value;
- a dict with a ``"status"`` key whose value is a ``PublishJob.Status`` member
  (values handed to ``.update(**values)``);
- ``update_fields`` naming ``"status"`` when saving a job.

Names bound to ``PublishJob.Status`` (``Status = PublishJob.Status``) count as
the same thing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = ROOT / "tiktok_integration" / "publishing" / "transitions.py"
# mutants/: the working copy `make mutate` leaves behind (mutmut), full of mutated code.
SKIPPED_DIRS = {
    "migrations",
    "tests",
    "bench",
    ".venv",
    "node_modules",
    "var",
    "mutants",
}


def _product_modules() -> list[Path]:
    tops = [
        top
        for top in ROOT.iterdir()
        if top.is_dir() and top.name not in SKIPPED_DIRS and top.name[0] not in "._"
    ]
    found = sorted(ROOT.glob("*.py"))
    for top in tops:
        for path in sorted(top.rglob("*.py")):
            if not SKIPPED_DIRS & set(path.relative_to(ROOT).parts[:-1]):
                found.append(path)
    return found


def _status_aliases(tree: ast.AST) -> set[str]:
    """Names bound to ``PublishJob.Status`` in this module."""
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and ast.unparse(node.value) == "PublishJob.Status"
        ):
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return aliases


def _chain(node: ast.AST) -> str:
    """``a.b(…).c`` for a call chain, without the calls' arguments (so a
    ``filter(pk=job.pk)`` does not make an account's update look like a job's)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_chain(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_chain(node.func)}()"
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self, path: Path, aliases: set[str]) -> None:
        self.path = path
        self.aliases = aliases
        self.writes: list[str] = []

    def _is_job_status(self, node: ast.AST | None) -> bool:
        if node is None:
            return False
        text = ast.unparse(node)
        if "PublishJob.Status." in text:
            return True
        return any(
            isinstance(sub, ast.Attribute)
            and isinstance(sub.value, ast.Name)
            and sub.value.id in self.aliases
            for sub in ast.walk(node)
        )

    def _report(self, node: ast.AST, what: str) -> None:
        where = f"{self.path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
        self.writes.append(f"{where}: {what}: {ast.unparse(node)[:120]}")

    def _check_target(
        self, target: ast.AST, value: ast.AST | None, node: ast.AST
    ) -> None:
        if isinstance(target, ast.Attribute) and target.attr == "status":
            owner = _chain(target.value).lower()
            if "job" in owner or self._is_job_status(value):
                self._report(node, "assigns a job's status")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._check_target(target, node.value, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._check_target(node.target, node.value, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._check_target(node.target, node.value, node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = _chain(node.func)
        on_jobs = "PublishJob" in func or "job" in func.lower()
        writes = func.rsplit(".", 1)[-1] in WRITING_CALLS
        for keyword in node.keywords:
            if (
                keyword.arg == "status"
                and writes
                and (on_jobs or self._is_job_status(keyword.value))
            ):
                self._report(node, "writes status=")
            if keyword.arg == "update_fields" and on_jobs:
                names = [
                    element.value
                    for element in ast.walk(keyword.value)
                    if isinstance(element, ast.Constant)
                ]
                if "status" in names:
                    self._report(node, "saves status in update_fields")
        if func == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if (
                isinstance(name, ast.Constant)
                and name.value == "status"
                and "job" in _chain(node.args[0]).lower()
            ):
                self._report(node, "sets a job's status with setattr")
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if (
                isinstance(key, ast.Constant)
                and key.value == "status"
                and self._is_job_status(value)
            ):
                self._report(node, 'puts a job status under "status" in a dict')
        self.generic_visit(node)


WRITING_CALLS = {
    "update",
    "create",
    "get_or_create",
    "update_or_create",
    "PublishJob",
    "save",
}


def _writes_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    finder = _Finder(path, _status_aliases(tree))
    finder.visit(tree)
    return finder.writes


def test_the_product_has_modules_to_check():
    modules = _product_modules()
    assert ALLOWED in modules
    assert ROOT / "tiktok_integration" / "publishing" / "run.py" in modules


def test_only_transitions_writes_publish_job_status():
    writes = [
        write
        for path in _product_modules()
        if path != ALLOWED
        for write in _writes_in(path)
    ]
    assert not writes, (
        "PublishJob.status may only be written by "
        "tiktok_integration/publishing/transitions.py (compare-and-set moves with "
        "one timestamp per state). Call publish_job_transition (or another "
        "function there) instead of:\n  " + "\n  ".join(writes)
    )


@pytest.mark.parametrize(
    "source",
    [
        "job.status = Status.FAILED",
        "current.status = PublishJob.Status.SCHEDULED",
        "PublishJob.objects.filter(pk=1).update(status=Status.PUBLISHED)",
        "jobs.update(status='published')",
        "values = {'status': Status.CLAIMED, 'claimed_at': now}",
        "job.save(update_fields=['status', 'updated_at'])",
        "PublishJob.objects.create(post=post, status=Status.NEEDS_CONFIRMATION)",
        "setattr(job, 'status', 'failed')",
    ],
)
def test_the_checker_catches_each_kind_of_write(source):
    module = ROOT / "tiktok_integration" / "_probe.py"
    tree = ast.parse("Status = PublishJob.Status\n" + source)
    finder = _Finder(module, _status_aliases(tree))
    finder.visit(tree)
    assert finder.writes


@pytest.mark.parametrize(
    "source",
    [
        "account.status = TikTokAccount.Status.ACTIVE",
        "account.save(update_fields=['status', 'status_reason'])",
        "TikTokAccount.objects.filter(pk=job.account_id).update(status='active')",
        "publish_job_renew(lease=lease, status=Status.UPLOADING)",
        "PublishJob.objects.filter(status=Status.SCHEDULED).count()",
        "publish.status = SandboxPublish.Status.FAILED",
    ],
)
def test_the_checker_lets_reads_and_other_models_be(source):
    tree = ast.parse("Status = PublishJob.Status\n" + source)
    finder = _Finder(ROOT / "tiktok_integration" / "_probe.py", _status_aliases(tree))
    finder.visit(tree)
    assert not finder.writes
