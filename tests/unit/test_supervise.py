"""scripts/supervise.sh starts a command again when it exits, and stops it when told to."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_command_that_exits_is_started_again_until_the_supervisor_is_stopped(tmp_path) -> None:
    starts = tmp_path / "starts"
    command = f"echo started >> {starts}; sleep 0.2; exit 3"
    supervisor = subprocess.Popen(["bash", str(ROOT / "scripts" / "supervise.sh"), "bash", "-c", command],
                                  stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (not starts.exists() or len(starts.read_text().split()) < 3):
        time.sleep(0.1)
    supervisor.send_signal(signal.SIGTERM)
    _, stderr = supervisor.communicate(timeout=10)
    assert supervisor.returncode == 0
    assert len(starts.read_text().split()) >= 3
    assert "exited with status 3; starting it again" in stderr
