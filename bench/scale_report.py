"""The figures of one bench_scale run, printed: token refresh, posts, and the
costs per published job and per second by process kind."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bench.bench_publish import percentile

if TYPE_CHECKING:
    from bench.bench_scale import Size


def print_figures(
    size: Size,
    report: dict[str, Any],
    snapshot: dict[str, Any],
    cpu: dict[str, float],
    queries: dict[str, int],
    broker: dict[str, int],
    elapsed: float,
    requests_made: int,
) -> None:
    """Print the token, post and cost figures of one bench_scale run."""
    counts = snapshot["counts"]
    lags = [max(0.0, lag) for lag in snapshot["refresh_lags"]]
    compression = size.token_compression
    if lags:
        print(
            f"  tokens: {counts.get('refresh', 0)} refreshes for {size.accounts} "
            "accounts; lag past the planned refresh p50 "
            f"{percentile(lags, 0.5):.1f} s, "
            f"p99 {percentile(lags, 0.99):.1f} s, max {max(lags):.1f} s "
            f"(sweep every {max(1, round(300 / compression))} s); "
            f"expired unrefreshed {snapshot['expired_unrefreshed']} (goal 0), "
            f"refresh tokens spent twice {counts.get('refresh_spent_twice', 0)} "
            f"(goal 0), expired tokens used {counts.get('expired_token_used', 0)}"
        )
    jobs = report["jobs"]
    lateness = [init - due for due, init, _ in jobs if init is not None]
    published = sum(1 for job in jobs if job[2] == "published")
    states: dict[str, int] = {}
    for job in jobs:
        states[job[2]] = states.get(job[2], 0) + 1
    if lateness:
        print(
            f"  posts: {published}/{len(jobs)} published {states}; lateness to "
            f"init p50 {percentile(lateness, 0.5):.2f} s, p99 "
            f"{percentile(lateness, 0.99):.2f} s, max {max(lateness):.2f} s; "
            f"duplicate publishes {snapshot['duplicates']} (goal 0), "
            f"429s {counts.get('http_429', 0)} (goal 0); claims per job "
            f"{report['claims'] / len(jobs):.2f} (2 when no message was sent "
            "twice: a dispatch and a status check)"
        )
    per = max(1, published)
    refreshes = counts.get("refresh", 0)
    print(
        f"  costs over {elapsed:.0f} s ({published} jobs published, {refreshes} "
        "tokens refreshed), per published job and per second:"
    )
    kinds = (
        ("publish", "pd_publish"),
        ("ticks", "pd_ticks"),
        ("tokens", "pd_tokens"),
        ("beat", "pd_beat"),
    )
    for kind, role in kinds:
        calls = queries.get(role, 0)
        seconds = cpu[kind]
        print(
            f"    {kind:8} SQL {calls / per:6.1f}/job {calls / elapsed:7.1f}/s; CPU "
            f"{seconds * 1000 / per:6.1f} ms/job {100 * seconds / elapsed:5.1f} % "
            "of a core"
        )
    print(
        f"    stand-in (and this process) CPU {cpu['stand-in+bench'] * 1000 / per:.1f} "
        f"ms/job; Redis {broker['commands'] / per:.1f} commands/job "
        f"({broker['messages'] / per:.2f} messages sent); TikTok requests "
        f"{(requests_made - refreshes) / per:.1f}/job besides the refreshes"
    )
