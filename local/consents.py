"""The consent sealer in local mode, as EventBridge runs it when deployed.

Local mode runs the real entry point's `seal` on a timer (every few seconds, so the staff ledger and
evidence routes soon see what was submitted; POLICYBOUND_LOCAL_SEAL_SECONDS changes it, 0 turns it
off), before every `/_local/sweep`, and on demand:
`POST /_local/seal-consents` → `{"sealed": N, "batches": M, "complete": true}`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

from werkzeug.wrappers import Request, Response

logger = logging.getLogger(__name__)

# The deployed schedule is every 15 minutes; locally nobody should have to wait for it. 0 turns the timer
# off (the e2e tests do: they count stored items and seal through the route when they need to).
INTERVAL_VARIABLE = "POLICYBOUND_LOCAL_SEAL_SECONDS"
LOCAL_INTERVAL_SECONDS = 3.0
_NO_DEADLINE_MS = 10**12
# One run at a time, as the deployed function's reserved concurrency of 1 ensures.
_one_at_a_time = threading.Lock()


def seal_now() -> dict[str, Any]:
    from entrypoints import consent_sealer  # reads its settings at import, as in Lambda

    with _one_at_a_time:
        try:
            return consent_sealer.seal(consent_sealer._wiring, lambda: _NO_DEADLINE_MS)
        finally:
            consent_sealer.metrics.clear_metrics()


def seal_route(_: Request) -> Response:
    return Response(json.dumps(seal_now()), mimetype="application/json")


class Schedule:
    """Runs `seal_now` every LOCAL_INTERVAL_SECONDS on a daemon thread until stopped."""

    def __init__(self, interval: float | None = None) -> None:
        if interval is None:
            interval = float(os.environ.get(INTERVAL_VARIABLE, LOCAL_INTERVAL_SECONDS))
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="consent-sealer", daemon=True)

    def start(self) -> None:
        if self._interval > 0:
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval + 5)

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                seal_now()
            except Exception:
                # Retried on the next tick, as EventBridge's next run would.
                logger.warning("local consent sealing failed; retrying on the next tick", exc_info=True)
