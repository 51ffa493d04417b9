"""(a) AWS API calls per operation, counted through botocore events on a warm function."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench.harness import CallCounter, Stack, body, moto_stack
from policybound.domain.destruction import DestructionReason

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
        counter = CallCounter(stack.wiring.dynamodb, stack.wiring.kms, stack.wiring.ses)
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

        ids = _submitted_ids(stack, SAMPLES)
        counter.take()

        def destroy(n: int) -> None:
            record = stack.wiring.store.get(ids[n])
            assert record is not None
            stack.wiring.destroyer.destroy(record, DestructionReason.SUBJECT_ERASURE)

        total, kms, calls = _per_operation(counter, SAMPLES, destroy)
        rows.append(
            {"operation": "destruction (read + destroy)", "calls": total, "kms": kms, "detail": _detail(calls, SAMPLES)}
        )
    return rows


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
