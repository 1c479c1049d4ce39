"""Audit the installed dependencies for known vulnerabilities with pip-audit, and
fail when the audit covered too little to mean anything.

pip-audit reports "No known vulnerabilities found" even when it could look up
none of the packages (each is then only "skipped"), so its exit status alone
proves nothing. This runs it with JSON output and checks the counts:

- exit 0: at least ``--min-share`` of the installed distributions were audited
  and none has a known vulnerability;
- exit 1: a known vulnerability (each printed with its fixed versions);
- exit 2: too few packages audited (the vulnerability service was unreachable
  or did not know them), or pip-audit itself failed.

Usage: ``.venv/bin/python scripts/audit.py [--service pypi|osv] [--min-share 0.9]``
(``make audit``). It needs the network: PyPI's JSON API for ``pypi`` (the
default; the package registry is all this project's machines reach), the OSV
API for ``osv``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from importlib import metadata
from typing import Any

# The project itself is installed editable and is not on any index.
OWN_DISTRIBUTIONS = {"postdeck"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_distributions() -> dict[str, str]:
    """``{normalized name: version}`` of this interpreter's environment."""
    found = {
        normalize(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if dist.metadata["Name"]
    }
    return {name: v for name, v in found.items() if name not in OWN_DISTRIBUTIONS}


def run_pip_audit(service: str) -> dict[str, Any]:
    """pip-audit's JSON report for this environment; SystemExit(2) if it broke."""
    command = [
        sys.executable, "-m", "pip_audit", "--vulnerability-service", service,
        "--format", "json", "--progress-spinner", "off", "--skip-editable",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=1800)  # nosec B603: fixed argv, no shell
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        print(result.stderr, file=sys.stderr)
        print(f"audit: pip-audit failed (exit {result.returncode}).", file=sys.stderr)
        raise SystemExit(2) from None
    return report


def skip_kind(reason: str) -> str:
    """A skip reason without the package's own name and version."""
    return reason.split(":")[0].strip()


def judge(report: dict[str, Any], installed: int, min_share: float) -> int:
    """Print the counts and findings; return the exit status (see module doc)."""
    dependencies = report.get("dependencies", [])
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    findings = [(dep, vuln) for dep in audited for vuln in dep.get("vulns", [])]
    print(
        f"audit: {installed} installed, {len(audited)} audited, "
        f"{len(skipped)} skipped, {len(findings)} known vulnerabilities"
    )
    for kind, count in Counter(skip_kind(d["skip_reason"]) for d in skipped).items():
        print(f"  skipped {count}: {kind}")
    for dep, vuln in findings:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
        print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    if not audited:
        print(
            "audit: FAILED, nothing was audited: the vulnerability service could "
            "not be reached or knew none of the packages.",
            file=sys.stderr,
        )
        return 2
    if len(audited) < min_share * installed:
        print(
            f"audit: FAILED, only {len(audited)} of {installed} packages audited "
            f"(at least {min_share:.0%} required).",
            file=sys.stderr,
        )
        return 2
    return 1 if findings else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", choices=["pypi", "osv"], default="pypi")
    parser.add_argument("--min-share", type=float, default=0.9)
    args = parser.parse_args(argv)
    installed = installed_distributions()
    return judge(run_pip_audit(args.service), len(installed), args.min_share)


if __name__ == "__main__":
    sys.exit(main())
