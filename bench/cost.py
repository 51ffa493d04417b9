"""(f) Cost per million submissions in ap-northeast-2, from the dated price table beside this file
and the measured call counts. Fixed monthly costs (KMS keys, WAF web ACL and rules, CloudTrail
storage) are left out: they do not grow with submissions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PRICES = Path(__file__).resolve().parent / "prices-ap-northeast-2.json"

# Assumptions a reader can change: the function's memory and a warm invocation's billed duration
# (two in-region AWS calls of a few milliseconds each plus ~1 ms of our own CPU), and log volume.
FUNCTION_MEMORY_GB = 0.25
BILLED_MS_PER_SUBMISSION = 20
LOG_BYTES_PER_SUBMISSION = 600
# A transaction costs two write units per item up to 1 KB; a record with its sealed PI is ~1-2 KB.
WRITE_UNITS_PER_SUBMISSION = 2 * (2 + 1)


def prices() -> dict[str, Any]:
    return dict(json.loads(PRICES.read_text()))


def per_million_submissions(kms_calls: float, mails: float) -> dict[str, float]:
    p = prices()
    lines = {
        "API Gateway (REST)": p["api_gateway_rest_per_million"],
        "WAF requests": p["waf_request_per_million"],
        "Lambda requests": p["lambda_request_per_million"],
        "Lambda compute": 1_000_000
        * FUNCTION_MEMORY_GB
        * BILLED_MS_PER_SUBMISSION
        / 1000
        * p["lambda_x86_64_gb_second"],
        "DynamoDB writes": WRITE_UNITS_PER_SUBMISSION * p["dynamodb_write_request_unit_per_million"],
        "KMS requests": kms_calls * 100 * p["kms_request_per_10k"],
        "SES mail": mails * 1000 * p["ses_email_per_thousand"],
        "CloudWatch Logs": LOG_BYTES_PER_SUBMISSION * 1_000_000 / 1e9 * p["cloudwatch_logs_ingest_per_gb"],
    }
    lines["total"] = sum(lines.values())
    return lines


if __name__ == "__main__":
    table = per_million_submissions(kms_calls=1, mails=0)
    print(f"prices as of {prices()['as_of']}")
    for name, dollars in table.items():
        print(f"{name}: ${dollars:,.2f}")
