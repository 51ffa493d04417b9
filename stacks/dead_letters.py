"""The one shape of a dead-letter queue of Policybound's: SQS-managed encryption, TLS only, messages kept
14 days (SQS's longest) for an operator to inspect and replay."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.nag import acknowledge

DEAD_LETTER_RETENTION = Duration.days(14)


def dead_letter_queue(
    scope: Construct, construct_id: str, *, no_dead_letters_because: str, no_redrive_because: str
) -> sqs.Queue:
    """A queue that is itself a dead-letter queue: why it has none of its own (cdk-nag SQS3) and why nothing
    redrives from it automatically (Serverless SQSRedrivePolicy) are the caller's."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DEAD_LETTER_RETENTION,
    )
    acknowledge(queue, "AwsSolutions-SQS3", no_dead_letters_because)
    acknowledge(queue, "Serverless-SQSRedrivePolicy", no_redrive_because)
    return queue
