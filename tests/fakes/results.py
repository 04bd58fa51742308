"""What a fake push service keeps of what it was sent, and its start/stop as a context manager.

Shared by the Web Push, APNs and FCM fakes: each records accepted messages, every request that
passed its checks (with the status answered) and the requests it refused, under one condition
variable so that tests can wait for deliveries from another thread.
"""

from __future__ import annotations

import threading
from typing import Generic, Self, TypeVar

ReceivedT = TypeVar("ReceivedT")
RejectedT = TypeVar("RejectedT")


class RecordedResults(Generic[ReceivedT, RejectedT]):
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._received: list[ReceivedT] = []
        self._attempts: list[ReceivedT] = []
        self._rejected: list[RejectedT] = []

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def received(self) -> list[ReceivedT]:
        """Accepted messages (a copy)."""
        with self._cond:
            return list(self._received)

    @property
    def attempts(self) -> list[ReceivedT]:
        """Every request that passed the checks, with the status answered (a copy)."""
        with self._cond:
            return list(self._attempts)

    @property
    def rejected(self) -> list[RejectedT]:
        """Requests refused for breaking the protocol (a copy)."""
        with self._cond:
            return list(self._rejected)

    def wait_for(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` messages were accepted; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._received) >= n, timeout)

    def _clear_results(self) -> None:
        """Forget every record; the caller holds ``self._cond``."""
        self._received.clear()
        self._attempts.clear()
        self._rejected.clear()

    def _result_counts(self) -> dict[str, int]:
        """Counts for stats(); the caller holds ``self._cond``."""
        return {
            "received": len(self._received),
            "attempts": len(self._attempts),
            "rejected": len(self._rejected),
        }
