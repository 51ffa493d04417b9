"""(g) What the consent ledger costs: per submission (calls, bytes of its unsealed entry, the write units
they add to the submission's transaction) and for the sealing job per 1,000 submissions (calls, write and
read units, dollars). Measured on moto through botocore events; sizes as DynamoDB counts them (attribute
names plus values)."""

from __future__ import annotations

import math
from typing import Any

from bench import cost
from bench.harness import CallCounter, body, moto_stack
from policybound import tables
from policybound.adapters import codec
from policybound.adapters.ledger import entry_item
from policybound.domain.core.ledger import LedgerKind
from policybound.domain.evidence.consent_ledger import SEAL_BATCH_SIZE

SUBMISSIONS = 200
WARM_UP = 3


def item_bytes(item: dict[str, Any]) -> int:
    size = 0
    for name, value in item.items():
        ((kind, raw),) = value.items()
        size += len(name.encode()) + (len(str(raw).encode()) if kind in ("S", "N") else len(raw))
    return size


def measure() -> dict[str, Any]:
    with moto_stack() as stack:
        counter = CallCounter(stack.wiring.ports.dynamodb, stack.wiring.ports.kms)
        for n in range(WARM_UP):  # a warm function: the KEK is cached after the first call
            stack.client.post("/v1/forms/contact-us", json=body("contact-us", f"warm{n}@example.co.kr"))
        counter.take()
        for n in range(SUBMISSIONS):
            response = stack.client.post("/v1/forms/contact-us", json=body("contact-us", f"c{n}@example.co.kr"))
            assert response.status_code == 201
        submit_calls = counter.take()
        waiting = stack.wiring.ports.dynamodb.query(
            TableName=stack.env[tables.LEDGER.env_var],
            KeyConditionExpression="#c = :c",
            ExpressionAttributeNames={"#c": "chain"},
            ExpressionAttributeValues=codec.item({":c": tables.LEDGER_PENDING_CONSENT_CHAIN}),
        )["Items"]
        entry_bytes = max(item_bytes(item) for item in waiting)
        report = stack.wiring.consent_sealing.run()
        seal_calls = counter.take()
        chained = stack.wiring.ports.ledger.entries(LedgerKind.CONSENT, limit=1000)
    chain_bytes = max(item_bytes(entry_item(entry)) for entry in chained)
    per_1000 = 1000 / report.sealed
    # Transactional writes cost 2 units per KB of each item: sealing puts each entry into the chain and
    # deletes its unsealed copy, plus one batch entry per SEAL_BATCH_SIZE entries.
    added_units = 2 * math.ceil(entry_bytes / 1024)
    seal_write_units = (2 * math.ceil(chain_bytes / 1024) + 2) * 1000 + 2 * math.ceil(1000 / SEAL_BATCH_SIZE)
    seal_reads = sum(v for k, v in seal_calls.items() if k == "dynamodb:Query") * per_1000
    prices = cost.prices()
    dollars = (
        seal_write_units * prices["dynamodb_write_request_unit_per_million"] / 1e6
        + added_units * 1000 * prices["dynamodb_write_request_unit_per_million"] / 1e6
        + seal_reads * 4 * prices["dynamodb_read_request_unit_per_million"] / 1e6
    )
    return {
        "submission_calls": sum(submit_calls.values()) / SUBMISSIONS,
        "submission_detail": ", ".join(f"{k} {v / SUBMISSIONS:g}" for k, v in sorted(submit_calls.items())),
        "entry_bytes": entry_bytes,
        "chain_entry_bytes": chain_bytes,
        "added_write_units": added_units,
        "batches": report.batches,
        "seal_calls_per_1000": sum(seal_calls.values()) * per_1000,
        "seal_detail": ", ".join(f"{k} {v * per_1000:g}" for k, v in sorted(seal_calls.items())),
        "seal_write_units_per_1000": seal_write_units,
        "dollars_per_1000": dollars,
    }


if __name__ == "__main__":
    for key, value in measure().items():
        print(f"{key}: {value}")
