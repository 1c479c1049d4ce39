"""scripts/audit.py: an audit that audited nothing fails, loudly."""

from __future__ import annotations

import pytest

from scripts.audit import judge


def dep(name: str, *vulns: str) -> dict[str, object]:
    return {
        "name": name,
        "version": "1.0",
        "vulns": [{"id": v, "fix_versions": ["1.1"]} for v in vulns],
    }


def skipped(name: str) -> dict[str, object]:
    return {
        "name": name,
        "skip_reason": f"Dependency not found on PyPI and could not be audited: {name} (1.0)",
    }


def test_nothing_audited_fails_and_says_so(capsys):
    # given pip-audit's report when the vulnerability service is out of reach
    report = {"dependencies": [skipped(f"p{i}") for i in range(115)]}
    # when
    status = judge(report, installed=115, min_share=0.9)
    # then
    out, err = capsys.readouterr()
    assert status == 2
    assert "115 installed, 0 audited, 115 skipped" in out
    assert "skipped 115: Dependency not found on PyPI" in out
    assert "nothing was audited" in err


def test_too_few_audited_fails():
    report = {"dependencies": [dep("a"), skipped("b"), skipped("c")]}
    assert judge(report, installed=3, min_share=0.9) == 2


@pytest.mark.parametrize(("vulns", "status"), [((), 0), (("PYSEC-1",), 1)])
def test_a_full_audit_passes_unless_a_vulnerability_is_known(capsys, vulns, status):
    # given every package audited
    report = {"dependencies": [dep("a", *vulns), dep("b")]}
    # when
    result = judge(report, installed=2, min_share=0.9)
    # then
    assert result == status
    if vulns:
        assert "a 1.0: PYSEC-1 (fixed in 1.1)" in capsys.readouterr().out
