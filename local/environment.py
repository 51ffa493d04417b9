"""The environment local mode gives the entry points, so they find the moto server and its resources."""

from __future__ import annotations

import os
import socket

from policybound import settings, tables
from policybound.policy import AWS_REGION

MOTO_HOST, MOTO_PORT = "127.0.0.1", 5000
API_HOST, API_PORT = "127.0.0.1", 3000
MOTO_URL = f"http://{MOTO_HOST}:{MOTO_PORT}"
API_URL = f"http://{API_HOST}:{API_PORT}"
MAIL_SENDER = "no-reply@policybound.local"
TABLE_PREFIX = "policybound-local-"
# Function instances side by side per function, as Lambda scales out under parallel requests: races
# between instances (a check and a count that are not one atomic write) show up locally too.
FUNCTION_INSTANCES = 4


def table_name(spec: tables.TableSpec | tables.QueueSpec, prefix: str = TABLE_PREFIX) -> str:
    """A table's (or queue's) name; integration tests give each test its own prefix in one moto account."""
    return prefix + spec.logical_id.lower()


def bucket_name(spec: tables.BucketSpec) -> str:
    return TABLE_PREFIX + spec.logical_id.lower()


def aws_environment(moto_url: str = MOTO_URL) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": AWS_REGION,
        "AWS_REGION": AWS_REGION,
        # boto3 >= 1.44 otherwise builds account-specific DynamoDB endpoints that moto cannot serve.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }


def app_environment(
    key_ids: dict[str, str], public_base_url: str = API_URL, prefix: str = TABLE_PREFIX
) -> dict[str, str]:
    env = {spec.env_var: table_name(spec, prefix) for spec in tables.TABLES}
    env |= {spec.env_var: key_ids[spec.logical_id] for spec in tables.KMS_KEYS}
    env |= {spec.env_var: bucket_name(spec) for spec in tables.BUCKETS}
    env |= {spec.env_var: key_ids[spec.logical_id] for spec in tables.QUEUES}
    name = settings.environment_name
    env |= {
        name("mail_sender"): MAIL_SENDER,
        # moto accepts mail as fast as it comes; SES's rate is kept by the deployed default.
        name("letter_sends_per_second"): os.environ.get(name("letter_sends_per_second"), "200"),
        name("public_base_url"): public_base_url,
        # The sample site is served by the same server, under either loopback name.
        name("allowed_origins"): f"{public_base_url},{public_base_url.replace('127.0.0.1', 'localhost')}",
        # One process hosts every function locally, so they share one service name (and logger).
        "POWERTOOLS_SERVICE_NAME": "policybound-local",
        # A level already set by whoever started local mode wins (the e2e tests run it at DEBUG).
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"),
    }
    return env


def port_in_use(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0
