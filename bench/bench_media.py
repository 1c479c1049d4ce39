"""Media library: probe + import throughput, and the probe's memory on 1 GiB.

1. 1,000 short generated MP4s (ten real 0.5 s encodes at 360x640, each copied
   100 times with a distinct trailing "free" box, so every file has its own
   SHA-256 and is a valid MP4) go through ``import_media``'s batch: fingerprint,
   probe in a limited child process, thumbnail and cover, store, one row each.
   Twice: "before" starts a new Python child per file (``MEDIA_PROBE_FORK_SERVER``
   off), "after" forks each child from the probe fork server.
   Baselines in the same run: SHA-256 of the same files, and opening each with
   PyAV in-process (no isolation, no checks).
2. A real 1 GiB MP4 (noise encoded losslessly, its packets repeated) is probed:
   wall time and the probe child's peak resident memory (its own VmHWM).
"""

from __future__ import annotations

import math
import os
import shutil
import struct
import tempfile
import time
from pathlib import Path

FILE_COUNT = 1000
BASE_CLIPS = 10
BIG_FILE_BYTES = 1024**3


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    work = Path(tempfile.mkdtemp(prefix="postdeck-bench-media-"))
    try:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(work / "storage")},
            },
        }
        call_command("migrate", verbosity=0, interactive=False)
        files = _generate_small_files(work / "small")
        _bench_import(files)
        _bench_big_file(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _generate_small_files(directory: Path) -> list[Path]:
    from media_library.samples import make_sample_video

    directory.mkdir(parents=True)
    started = time.perf_counter()
    bases = [
        make_sample_video(
            directory / f"base-{index}.mp4",
            seconds=0.5,
            width=360,
            height=640,
            fps=30,
            with_audio=False,
            label=f"clip {index}",
        ).read_bytes()
        for index in range(BASE_CLIPS)
    ]
    files = []
    for index in range(FILE_COUNT):
        marker = f"postdeck-bench-{index:06d}".encode()
        free_box = struct.pack(">I", 8 + len(marker)) + b"free" + marker
        path = directory / f"clip-{index:04d}.mp4"
        path.write_bytes(bases[index % BASE_CLIPS] + free_box)
        files.append(path)
    for index in range(BASE_CLIPS):
        (directory / f"base-{index}.mp4").unlink()
    size = sum(path.stat().st_size for path in files) / FILE_COUNT
    print(
        f"generated {FILE_COUNT} files of ~{size / 1024:.0f} KiB in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return files


def _bench_import(files: list[Path]) -> None:
    import av
    from django.apps import apps
    from django.conf import settings

    from media_library.importing import ImportSource, import_media_batch
    from media_library.inspection import fingerprint_file, inspect_local_file

    # Baseline 1: hashing alone.
    started = time.perf_counter()
    for path in files:
        with path.open("rb") as handle:
            fingerprint_file(handle)
    hashing = len(files) / (time.perf_counter() - started)

    # Baseline 2: PyAV in this process, no child, no checks, no previews.
    started = time.perf_counter()
    for path in files:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            _ = (stream.average_rate, stream.codec_context.width, container.duration)
    pyav = len(files) / (time.perf_counter() - started)

    # Ours, probe only, one at a time: a new child per file, then the fork server.
    sample = files[:100]
    probe_only = {}
    for fork_server in (False, True):
        settings.MEDIA_PROBE_FORK_SERVER = fork_server
        inspect_local_file(sample[0], original_filename=sample[0].name)  # start-up
        started = time.perf_counter()
        for path in sample:
            inspect_local_file(path, original_filename=path.name)
        probe_only[fork_server] = len(sample) / (time.perf_counter() - started)

    # Ours, the whole import_media batch, both ways, each into its own workspace.
    jobs = settings.MEDIA_IMPORT_JOBS
    batch = {}
    for fork_server in (False, True):
        settings.MEDIA_PROBE_FORK_SERVER = fork_server
        workspace = apps.get_model("workspaces", "Workspace").objects.create(
            name=f"Bench {fork_server}", slug=f"bench-{os.getpid()}-{fork_server:d}"
        )
        started = time.perf_counter()
        outcomes = import_media_batch(
            workspace_id=workspace.pk,
            sources=[ImportSource(label=str(path), path=path) for path in files],
            known={},
            jobs=jobs,
        )
        elapsed = time.perf_counter() - started
        imported = sum(outcome.status == "imported" for outcome in outcomes)
        assert imported == len(files), {outcome.status for outcome in outcomes}  # noqa: S101
        batch[fork_server] = (len(files) / elapsed, elapsed)
    ours, elapsed = batch[True]

    # Re-import: every file is a duplicate, found by hash without probing.
    started = time.perf_counter()
    from media_library.selectors import media_asset_ids_by_sha256

    again = import_media_batch(
        workspace_id=workspace.pk,
        sources=[ImportSource(label=str(path), path=path) for path in files],
        known=media_asset_ids_by_sha256(workspace_id=workspace.pk),
        jobs=jobs,
    )
    reimport = len(files) / (time.perf_counter() - started)
    assert all(outcome.status == "duplicate" for outcome in again)  # noqa: S101

    print(f"hashing only (baseline):           {hashing:8.0f} files/s")
    print(f"PyAV open in-process (baseline):   {pyav:8.0f} files/s")
    print(f"probe, new child per file (1 job): {probe_only[False]:8.1f} files/s")
    print(f"probe, fork server (1 job):        {probe_only[True]:8.1f} files/s")
    print(
        f"import_media before, child per file ({jobs} jobs): {batch[False][0]:8.1f} "
        f"files/s ({len(files)} files in {batch[False][1]:.1f} s)"
    )
    print(
        f"import_media after, fork server ({jobs} jobs):     {ours:8.1f} files/s "
        f"({len(files)} files in {elapsed:.1f} s)"
    )
    print(f"speed-up after / before: {ours / batch[False][0]:.1f}x (goal: 4x)")
    print(f"re-import, all duplicates:         {reimport:8.0f} files/s")
    print(f"ratio import / PyAV open (1.0 = as fast): {ours / pyav:.4f}")
    print(f"ratio import / hashing   (1.0 = as fast): {ours / hashing:.5f}")


def _bench_big_file(work: Path) -> None:
    from media_library.inspection import inspect_local_file
    from media_library.samples import make_long_video

    started = time.perf_counter()
    clip = _noise_clip(work / "noise.mp4")
    repeat = max(1, math.ceil(BIG_FILE_BYTES / clip.stat().st_size))
    big = make_long_video(clip, work / "big.mp4", repeat=repeat)
    clip.unlink()
    size = big.stat().st_size
    print(
        f"generated a {size / 1024**3:.2f} GiB MP4 in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    inspected = inspect_local_file(big, original_filename="big.mp4")
    elapsed = time.perf_counter() - started
    frames = inspected.details.get("frame_count")
    print(
        f"probe of {size / 1024**3:.2f} GiB ({frames} frames, every packet read): "
        f"{elapsed:.1f} s, {size / 1024**2 / elapsed:.0f} MiB/s"
    )
    peak_mib = inspected.peak_rss_kib / 1024
    print(f"probe child peak RSS: {peak_mib:.0f} MiB (goal: under 200 MiB)")
    big.unlink()


def _noise_clip(path: Path) -> Path:
    """Two seconds of lossless noise: large packets, cheap to make."""
    import av
    import numpy as np

    rng = np.random.default_rng(7)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.codec_context.options = {"qp": "0", "preset": "ultrafast"}
        for _ in range(60):
            pixels = rng.integers(0, 256, size=(720, 1280, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
