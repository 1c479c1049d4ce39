"""Bulk import: collect files, folders and URLs, then probe and store each one.

Used by ``manage.py import_media``. Collection refuses ``..`` in a given path,
symbolic links anywhere, and anything that resolves outside the folder it was
found in. Each file is fingerprinted first, so one already in the workspace is
skipped without being probed; the rest are probed in parallel child processes
and stored one by one, in the order given. One file's refusal never stops the
batch.
"""

from __future__ import annotations

import contextlib
import fnmatch
import logging
import os
import stat
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from media_library.inspection import (
    InspectedMedia,
    MediaRefusedError,
    fingerprint_file,
    inspect_local_file,
    media_kind_of,
)
from media_library.services.assets import media_asset_create
from media_library.storage import temporary_directory
from media_library.urlfetch import UrlRefusedError, download

logger = logging.getLogger(__name__)

IMPORTED = "imported"
DUPLICATE = "duplicate"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ImportSource:
    """One thing to import: a local file or an https URL, or why it cannot be."""

    label: str
    path: Path | None = None
    url: str | None = None
    refusal: str = ""


@dataclass(slots=True)
class ImportOutcome:
    source: str
    status: str
    reason: str = ""
    asset_id: int | None = None
    sha256: str = ""
    kind: str = ""
    is_tiktok_ready: bool | None = None
    validation_errors: list[str] = field(default_factory=list)

    def as_report_row(self) -> dict[str, Any]:
        if self.status == REFUSED:
            return {"source": self.source, "reason": self.reason}
        row: dict[str, Any] = {
            "source": self.source,
            "asset_id": self.asset_id,
            "sha256": self.sha256,
        }
        if self.status == IMPORTED:
            row |= {
                "kind": self.kind,
                "is_tiktok_ready": self.is_tiktok_ready,
                "validation_errors": self.validation_errors,
            }
        return row


@dataclass(slots=True)
class _Prepared:
    source: ImportSource
    outcome: ImportOutcome | None = None
    inspected: InspectedMedia | None = None
    path: Path | None = None
    filename: str = ""
    downloaded: bool = False


def collect_sources(
    arguments: Sequence[str], *, globs: Sequence[str] = (), recursive: bool = False
) -> list[ImportSource]:
    """Expand paths, folders and URLs into single sources, refusing unsafe ones."""
    sources: list[ImportSource] = []
    seen: set[Path] = set()
    for argument in arguments:
        if "://" in argument:
            sources.append(ImportSource(label=argument, url=argument))
            continue
        path = Path(argument)
        if ".." in path.parts:
            sources.append(_refused(argument, "The path contains '..'; give it "
                                    "without parent-directory steps."))  # fmt: skip
        elif path.is_symlink():
            sources.append(_refused(argument, _SYMLINK))
        elif path.is_dir():
            root = path.resolve()
            for source in _walk(path, root, globs=globs, recursive=recursive):
                if source.path is None or source.path not in seen:
                    sources.append(source)
                if source.path is not None:
                    seen.add(source.path)
        elif path.is_file():
            resolved = path.resolve()
            if resolved not in seen:
                seen.add(resolved)
                sources.append(ImportSource(label=argument, path=resolved))
        else:
            sources.append(_refused(argument, "No such file or folder."))
    return sources


_SYMLINK = "It is a symbolic link, and links are not followed; import the real file."


def _refused(label: str, reason: str) -> ImportSource:
    return ImportSource(label=label, refusal=reason)


def _walk(
    directory: Path,
    root: Path,
    *,
    globs: Sequence[str],
    recursive: bool,
    relative: PurePosixPath | None = None,
) -> Iterator[ImportSource]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as error:
        yield _refused(str(directory), f"The folder cannot be read ({error}).")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # .DS_Store, ._resource forks, editor swap files
        path = Path(entry.path)
        inside = (relative or PurePosixPath()) / entry.name
        if entry.is_symlink():
            yield _refused(str(path), _SYMLINK)
        elif entry.is_dir(follow_symlinks=False):
            if recursive:
                yield from _walk(
                    path, root, globs=globs, recursive=recursive, relative=inside
                )
        elif not _matches(inside, globs):
            continue
        elif not entry.is_file(follow_symlinks=False):
            yield _refused(str(path), "It is not a regular file.")
        else:
            resolved = path.resolve()
            if not resolved.is_relative_to(root):
                yield _refused(str(path), "It resolves to a place outside the folder.")
            else:
                yield ImportSource(label=str(path), path=resolved)


def _matches(inside: PurePosixPath, globs: Sequence[str]) -> bool:
    """Patterns with a '/' match the path inside the folder, others the name."""
    if not globs:
        return True
    for pattern in globs:
        target = inside.as_posix() if "/" in pattern else inside.name
        if fnmatch.fnmatch(target.lower(), pattern.lower()):
            return True
    return False


def import_media_batch(
    *,
    workspace_id: int,
    sources: Sequence[ImportSource],
    known: dict[str, int],
    uploaded_by: AbstractBaseUser | None = None,
    tags: Sequence[str] = (),
    dry_run: bool = False,
    jobs: int = 2,
    on_outcome: Callable[[ImportOutcome], None] | None = None,
) -> list[ImportOutcome]:
    """Import ``sources`` into the workspace; one outcome per source, in order.

    ``known`` maps the workspace's SHA-256 digests to asset ids (see
    ``selectors.media_asset_ids_by_sha256``); files with a known digest are
    duplicates and are not probed. With ``dry_run`` nothing is stored.
    """
    known = dict(known)
    outcomes: list[ImportOutcome] = []
    window = max(1, jobs) * 2
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as executor:
        pending: deque[Future[_Prepared]] = deque()
        iterator = iter(sources)
        while True:
            while len(pending) < window:
                source = next(iterator, None)
                if source is None:
                    break
                pending.append(executor.submit(_prepare, source, frozenset(known)))
            if not pending:
                break
            prepared = pending.popleft().result()
            try:
                outcome = _store(
                    prepared,
                    workspace_id=workspace_id,
                    known=known,
                    uploaded_by=uploaded_by,
                    tags=tags,
                    dry_run=dry_run,
                )
            except Exception as error:  # one file never stops a batch
                logger.exception("import_media failed on %s", prepared.source.label)
                outcome = ImportOutcome(
                    source=prepared.source.label,
                    status=REFUSED,
                    reason=f"Unexpected error: {error}",
                )
            finally:
                if prepared.downloaded and prepared.path is not None:
                    prepared.path.unlink(missing_ok=True)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes


def _prepare(source: ImportSource, known: frozenset[str]) -> _Prepared:
    """Fetch, fingerprint and probe one source; runs in a worker thread (no ORM)."""
    prepared = _Prepared(source=source)
    if source.refusal:
        prepared.outcome = ImportOutcome(source.label, REFUSED, source.refusal)
        return prepared
    try:
        if source.url is not None:
            fetched = download(source.url, directory=temporary_directory())
            prepared.path, prepared.downloaded = fetched.path, True
            prepared.filename = fetched.filename
        elif source.path is not None:
            prepared.path, prepared.filename = source.path, source.path.name
        else:
            raise MediaRefusedError("Nothing to import.")
        with _open_regular_file(prepared.path) as handle:
            fingerprint = fingerprint_file(handle)
        media_kind_of(fingerprint, prepared.filename)
        if fingerprint.sha256 in known:
            prepared.outcome = ImportOutcome(
                source.label, DUPLICATE, sha256=fingerprint.sha256
            )
            return prepared
        prepared.inspected = inspect_local_file(
            prepared.path, original_filename=prepared.filename, fingerprint=fingerprint
        )
    except (MediaRefusedError, UrlRefusedError) as refusal:
        prepared.outcome = ImportOutcome(source.label, REFUSED, refusal.reason)
    except ValidationError as error:
        prepared.outcome = ImportOutcome(
            source.label, REFUSED, " ".join(error.messages)
        )
    except OSError as error:
        prepared.outcome = ImportOutcome(
            source.label,
            REFUSED,
            f"The file cannot be read ({error.strerror or error}).",
        )
    return prepared


@contextlib.contextmanager
def _open_regular_file(path: Path) -> Iterator[IO[bytes]]:
    # O_NOFOLLOW: a file swapped for a link after collection is still refused.
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise MediaRefusedError("It is not a regular file.")
        handle = os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise
    with handle:
        yield handle


def _store(
    prepared: _Prepared,
    *,
    workspace_id: int,
    known: dict[str, int],
    uploaded_by: AbstractBaseUser | None,
    tags: Sequence[str],
    dry_run: bool,
) -> ImportOutcome:
    label = prepared.source.label
    if prepared.outcome is not None:
        outcome = prepared.outcome
        if outcome.status == DUPLICATE:
            outcome.asset_id = known.get(outcome.sha256)
        return outcome
    inspected, path = prepared.inspected, prepared.path
    if inspected is None or path is None:
        return ImportOutcome(label, REFUSED, "The file was not read.")
    sha256 = inspected.fingerprint.sha256
    if sha256 in known:
        # The same bytes appeared earlier in this batch.
        return ImportOutcome(
            label, DUPLICATE, asset_id=known[sha256] or None, sha256=sha256
        )
    outcome = ImportOutcome(
        label,
        IMPORTED,
        sha256=sha256,
        kind=inspected.kind,
        is_tiktok_ready=inspected.is_tiktok_ready,
        validation_errors=list(inspected.problems),
    )
    if dry_run:
        known[sha256] = 0
        return outcome
    with _open_regular_file(path) as handle:
        result = media_asset_create(
            workspace_id=workspace_id,
            file=handle,
            original_filename=prepared.filename,
            uploaded_by=uploaded_by,
            tags=tags,
            inspected=inspected,
        )
    known[sha256] = result.asset.pk
    outcome.asset_id = result.asset.pk
    if not result.created:
        return ImportOutcome(label, DUPLICATE, asset_id=result.asset.pk, sha256=sha256)
    return outcome
