"""The API keeps the contract its OpenAPI document states: a short run of the contract fuzzer
(bench/contract_fuzz.py, Schemathesis 4) on a stack of its own, failing on any check failure.
docs/contract-fuzzing.md explains what it checks and how to run the long version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import infra

pytest.importorskip("schemathesis", minversion="4.0")

# A few dozen cases per operation (fuzzing + stateful, plus the document's examples) against the
# API alone: the workers only empty queues and change no answer, and starting them (and their
# fan-outs) doubles the time. About a minute on an idle two-core machine; the long run with the
# workers is bench/contract_fuzz.py.
CASES = int(os.environ.get("TOCSIN_CONTRACT_FUZZ_CASES", "25"))
HARD_LIMIT_S = 900  # a stuck stack, not a slow machine


class ContractBroken(AssertionError):
    """The API and its document disagree (as opposed to the fuzzer or the stack failing to run)."""


def test_api_keeps_its_openapi_contract(tmp_path: Path) -> None:
    figures_file = tmp_path / "contract-fuzz.json"
    command = [sys.executable, str(infra.ROOT / "bench" / "contract_fuzz.py"),
               "--cases-per-operation", str(CASES), "--phases", "examples,fuzzing,stateful",
               "--seed", "20261201", "--no-workers", "--json", str(figures_file)]
    run = subprocess.run(command, check=False, cwd=infra.ROOT, capture_output=True, text=True,
                         timeout=HARD_LIMIT_S)
    output = run.stdout + run.stderr
    assert figures_file.exists(), f"the fuzzer did not finish:\n{output[-6000:]}"
    report = json.loads(figures_file.read_text())
    operations = report["operations"]
    untested = [label for label in report["documented_operations"] if label not in operations]
    failing = {label: f["failures"] for label, f in operations.items() if f["failures"]}
    start = output.find("=== Contract fuzzing")
    summary = output[start:] if start >= 0 else output[-6000:]
    # an operation Schemathesis could not test is, so far, always the document's doing (e.g. an
    # invalid Schema Object), so it counts as a broken contract too
    if failing or untested or report["errors"] or run.returncode != 0:
        raise ContractBroken(f"check failures: {failing}\nnever tested: {untested}\n"
                             f"Schemathesis errors: {report['errors']}\n{summary}")
