"""(c) Warm overhead per submission: the whole intake path against a bare handler that parses the
body and puts it into DynamoDB as it came.

Both handlers' AWS calls are answered instantly by botocore's Stubber, so the figure is the CPU our
code adds (validation, normalisation, sealing, serialisation, routing), not moto's or AWS's latency;
what AWS adds is a matter of call counts, which (a) reports.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from botocore.stub import Stubber
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from bench.harness import body, median_seconds, moto_stack
from local.gateway import LambdaContext, proxy_event
from policybound.adapters import codec

SUBMISSIONS = 200
REPEAT = 5


def _event(payload: dict[str, Any]) -> dict[str, Any]:
    builder = EnvironBuilder(path="/v1/forms/contact-us", method="POST", json=payload)
    return proxy_event(Request(builder.get_environ()))


def measure() -> dict[str, float]:
    with moto_stack() as stack:
        from entrypoints import api  # after moto_stack set the environment, as a Lambda's init would

        dynamodb, table = stack.wiring.ports.dynamodb, stack.wiring.settings.records_table
        events = [_event(body("contact-us", f"w{n}@example.co.kr")) for n in range(SUBMISSIONS)]
        context: Any = LambdaContext("bench", "bench")

        def bare_handler(event: dict[str, Any]) -> dict[str, Any]:
            data = json.loads(event["body"])
            item = codec.item({"submission_id": str(uuid.uuid4()), "raw": json.dumps(data)})
            dynamodb.put_item(TableName=table, Item=item)
            return {"statusCode": 201, "body": "{}"}

        def ours() -> None:
            for event in events:
                assert api.lambda_handler(event, context)["statusCode"] == 201

        def bare() -> None:
            for event in events:
                bare_handler(event)

        ours()  # warm both paths against moto: KEK cached, models built, clients connected
        bare()
        entry = api._wiring  # the entry point's own clients, as a warm Lambda holds them
        with (
            Stubber(entry.ports.dynamodb) as db_stub,
            Stubber(entry.ports.kms) as kms_stub,
            Stubber(dynamodb) as bare_stub,
        ):
            for _ in range(SUBMISSIONS * REPEAT):
                db_stub.add_response("transact_write_items", {})
                kms_stub.add_response(
                    "generate_mac", {"Mac": b"m" * 32, "KeyId": "bench", "MacAlgorithm": "HMAC_SHA_256"}
                )
                bare_stub.add_response("put_item", {})
            ours_seconds = median_seconds(ours, REPEAT) / SUBMISSIONS
            bare_seconds = median_seconds(bare, REPEAT) / SUBMISSIONS
    return {"ours_ms": ours_seconds * 1000, "bare_ms": bare_seconds * 1000, "ratio": ours_seconds / bare_seconds}


if __name__ == "__main__":
    figures = measure()
    print(
        f"ours {figures['ours_ms']:.2f} ms, bare {figures['bare_ms']:.2f} ms per submission (×{figures['ratio']:.2f})"
    )
