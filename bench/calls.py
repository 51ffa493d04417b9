"""(a) AWS API calls per operation, counted through botocore events on a warm function."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import CallCounter, Stack, body, moto_stack
from local.outbox import sent_mail
from policybound.domain.core.clock import FixedClock
from policybound.domain.retention.destruction import DestructionReason

WARM_UP = 3
SAMPLES = 20


def _per_operation(counter: CallCounter, samples: int, run: Any) -> tuple[float, float, Counter[str]]:
    counter.take()
    for n in range(samples):
        run(n)
    calls = counter.take()
    total = sum(calls.values()) / samples
    kms = sum(v for k, v in calls.items() if k.startswith("kms:")) / samples
    return total, kms, calls


def measure() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with moto_stack() as stack:
        counter = CallCounter(stack.wiring.ports.dynamodb, stack.wiring.ports.kms, stack.wiring.ports.ses)
        for n in range(WARM_UP):  # a warm function: the KEK is cached after the first call
            stack.client.post("/v1/forms/contact-us", json=body("contact-us", f"warm{n}@example.co.kr"))

        def submit(form: str) -> Any:
            def run(n: int) -> None:
                response = stack.client.post(f"/v1/forms/{form}", json=body(form, f"p{form}{n}@example.co.kr"))
                assert response.status_code == 201, response.get_data(as_text=True)

            return run

        for label, form in (
            ("submission (contact-us)", "contact-us"),
            ("submission (blog, with mail)", "blog-subscription"),
        ):
            total, kms, calls = _per_operation(counter, SAMPLES, submit(form))
            rows.append({"operation": label, "calls": total, "kms": kms, "detail": _detail(calls, SAMPLES)})

        rows += _rights_rows(stack, counter)

        ids = _submitted_ids(stack, SAMPLES)
        counter.take()

        def destroy(n: int) -> None:
            record = stack.wiring.ports.store.get(ids[n])
            assert record is not None
            stack.wiring.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE)

        total, kms, calls = _per_operation(counter, SAMPLES, destroy)
        detail = _detail(calls, SAMPLES)
        rows.append({"operation": "destruction (read + destroy)", "calls": total, "kms": kms, "detail": detail})
    rows.append(_sweep_row())
    return rows


def _session(stack: Stack, email: str) -> dict[str, str]:
    stack.client.post("/v1/rights/requests", json={"email": email, "kind": "access"})
    code = re.findall(r"\b(\d{6})\b", [m for m in sent_mail() if email in m["to"]][-1]["text"])[0]
    token = stack.client.post("/v1/rights/sessions", json={"email": email, "code": code}).get_json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _rights_rows(stack: Stack, counter: CallCounter) -> list[dict[str, Any]]:
    """View, correction and erasure by a verified subject with one record each."""
    people = []
    for n in range(SAMPLES):
        email = f"subject{n}@example.co.kr"
        sid = stack.client.post("/v1/forms/contact-us", json=body("contact-us", email)).get_json()["submission_id"]
        people.append((sid, _session(stack, email)))
    rows = []

    def view(n: int) -> None:
        assert stack.client.get("/v1/rights/records", headers=people[n][1]).status_code == 200

    def correct(n: int) -> None:
        sid, bearer = people[n]
        patch = {"fields": {"job_grade": "Director"}}
        assert stack.client.patch(f"/v1/rights/records/{sid}", json=patch, headers=bearer).status_code == 200

    def erase(n: int) -> None:
        sid, bearer = people[n]
        assert stack.client.delete(f"/v1/rights/records/{sid}", headers=bearer).status_code == 204

    for label, run in (
        ("view (GET /v1/rights/records, 1 record)", view),
        ("correction (PATCH)", correct),
        ("erasure (DELETE)", erase),
    ):
        total, kms, calls = _per_operation(counter, SAMPLES, run)
        rows.append({"operation": label, "calls": total, "kms": kms, "detail": _detail(calls, SAMPLES)})
    return rows


def _sweep_row() -> dict[str, Any]:
    """Calls per destroyed record when the hourly sweep finds SAMPLES records due."""
    consented = datetime(2021, 1, 1, tzinfo=UTC)
    with moto_stack(clock=FixedClock(consented)) as stack:
        for n in range(SAMPLES):
            stack.client.post("/v1/forms/contact-us", json=body("contact-us", f"due{n}@example.co.kr", at=consented))
        counter = CallCounter(stack.wiring.ports.dynamodb, stack.wiring.ports.kms)
        stack.wiring.clock.at = consented + timedelta(days=365 * 6)  # type: ignore[attr-defined]
        report = stack.wiring.sweeper.run()
        calls = counter.take()
    destroyed = max(report.destroyed, 1)
    total = sum(calls.values()) / destroyed
    kms = sum(v for k, v in calls.items() if k.startswith("kms:")) / destroyed
    return {
        "operation": f"sweep, per destroyed record ({report.destroyed} due)",
        "calls": total,
        "kms": kms,
        "detail": _detail(calls, destroyed),
    }


def _submitted_ids(stack: Stack, n: int) -> list[str]:
    ids = []
    for i in range(n):
        response = stack.client.post("/v1/forms/contact-us", json=body("contact-us", f"d{i}@example.co.kr"))
        ids.append(str(response.get_json()["submission_id"]))
    return ids


def _detail(calls: Counter[str], samples: int) -> str:
    return ", ".join(f"{name} {count / samples:g}" for name, count in sorted(calls.items()))


if __name__ == "__main__":
    for row in measure():
        print(f"{row['operation']}: {row['calls']:g} calls ({row['kms']:g} KMS) — {row['detail']}")
