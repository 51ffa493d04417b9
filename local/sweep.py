"""The real sweeper with its clock set, for local mode.

`POST /_local/sweep {"as_of": "2031-12-01T00:00:00+09:00"}` runs it inside local mode;
`make sweep AS_OF=...` (`python -m local.sweep --as-of ...`) runs it from the command line against a
running local mode, with a progress bar and a summary. Both call the entry point's own `sweep` with
a FixedClock: the deployed function never takes its clock from an event.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dateutil.parser import isoparse
from werkzeug.wrappers import Request, Response

from local import environment
from policybound.api.errors import error_body
from policybound.domain.core.errors import FieldProblem
from policybound.domain.retention.sweeper import SweepOutcome
from policybound.policy import POLICY_TIMEZONE

# Local runs have no Lambda deadline: let a run go until every shard is swept.
_NO_DEADLINE_MS = 10**12


def parse_as_of(text: str) -> datetime:
    """An RFC 3339 time; without an offset it is read in Seoul time, the policy's own."""
    moment = isoparse(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=POLICY_TIMEZONE)


def sweep_as_of(as_of: datetime, on_record: Callable[[SweepOutcome], None] = lambda _: None) -> dict[str, Any]:
    from entrypoints import (
        consent_renewer,
        sweeper,  # reads its settings at import, as in Lambda
    )
    from local.consents import seal_now
    from policybound.domain.core.clock import FixedClock
    from policybound.settings import load_settings
    from policybound.wiring import Wiring

    # Seal what is waiting first, as the 15-minute schedule would have before an hourly sweep.
    seal_now()
    # The settings the two entry points validate, and no others.
    needs = dict.fromkeys((*sweeper.SETTINGS, *consent_renewer.SETTINGS))
    wiring = Wiring(load_settings(*needs), clock=FixedClock(as_of))
    try:
        summary = sweeper.sweep(wiring, {}, lambda: _NO_DEADLINE_MS, on_record)
        # The hourly consent renewer (§12) runs with the same clock: a version taking effect asks for consent.
        summary["consent_requests"] = consent_renewer.renew(wiring, lambda: _NO_DEADLINE_MS)
        return summary
    finally:
        # No CloudWatch here: the run's metrics are dropped rather than piling up in the process.
        sweeper.metrics.clear_metrics()
        consent_renewer.metrics.clear_metrics()


def _refusal(message: str, field: str, problem: str) -> Response:
    body = error_body("validation_failed", message, [FieldProblem(field, problem)])
    return Response(body, status=422, mimetype="application/json")


def sweep_route(request: Request) -> Response:
    """POST /_local/sweep: `{"as_of": "..."}` (RFC 3339) → `{"destroyed": N, ...}`; no `as_of` means now."""
    try:
        body = json.loads(request.get_data(as_text=True) or "{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _refusal(
            'Send a JSON object such as {"as_of": "2031-12-01T00:00:00+09:00"}.', "body", "is not a JSON object"
        )
    raw = body.get("as_of")
    try:
        as_of = parse_as_of(raw) if raw is not None else datetime.now(POLICY_TIMEZONE)
    except (TypeError, ValueError):
        return _refusal("as_of must be an RFC 3339 time, e.g. 2031-12-01T00:00:00+09:00.", "as_of", "is not a time")
    summary = sweep_as_of(as_of)
    return Response(json.dumps(summary), mimetype="application/json")


def _prepare_environment(moto_url: str) -> None:
    from local.provision import provision

    os.environ.update(environment.aws_environment(moto_url))
    # Provisioning is idempotent: against a running local mode it only looks the keys up.
    key_ids = provision(moto_url)
    os.environ.update(environment.app_environment(key_ids))
    # The summary below says what the function's own log line would.
    os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"


def _count_due(as_of: datetime) -> int:
    from policybound.adapters.dynamodb import EXPIRY_SHARDS
    from policybound.domain.core.retention import epoch_seconds
    from policybound.settings import load_settings
    from policybound.wiring import Wiring

    store = Wiring(load_settings()).ports.store
    return sum(store.count_due(shard, epoch_seconds(as_of)) for shard in EXPIRY_SHARDS)


def main(argv: list[str] | None = None) -> int:
    from tqdm import tqdm

    parser = argparse.ArgumentParser(
        prog="python -m local.sweep", description="Run the sweeper against local mode with its clock set."
    )
    parser.add_argument("--as-of", default=None, help="RFC 3339 time to sweep as of (default: now)")
    parser.add_argument("--moto-url", default=environment.MOTO_URL, help="local AWS endpoint of `make run`")
    args = parser.parse_args(argv)
    try:
        as_of = parse_as_of(args.as_of) if args.as_of else datetime.now(POLICY_TIMEZONE)
    except ValueError:
        parser.error(f"--as-of {args.as_of!r} is not an RFC 3339 time, e.g. 2031-12-01T00:00:00+09:00")
    host, port = args.moto_url.removeprefix("http://").rsplit(":", 1)
    if not environment.port_in_use(host, int(port)):
        print(f"Nothing answers at {args.moto_url}. Start local mode first (`make run`), then sweep.", file=sys.stderr)
        return 2

    _prepare_environment(args.moto_url)
    total = _count_due(as_of)
    with tqdm(total=total, unit="record", desc=f"Sweeping as of {as_of.isoformat()}") as bar:

        def heard(outcome: SweepOutcome) -> None:
            bar.update(1)
            bar.set_postfix_str(outcome.value)

        summary = sweep_as_of(as_of, heard)
    print(
        f"Swept as of {summary['as_of']}: {summary['destroyed']} destroyed, {summary['held']} held, "
        f"{summary['already_gone']} already gone, {summary['not_due']} not due "
        f"({summary['batches']} index batches, {'complete' if summary['complete'] else 'incomplete'})."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
