"""The SES identity the functions send from: the domain of `mail_sender`, signed with Easy DKIM.

SES verifies the domain once its three DKIM CNAME records are published in the domain's DNS; they are
stack outputs (`MailDkim1Name` / `MailDkim1Value`, ...), so whoever runs the DNS can add them after the
first deploy. Until then SES refuses to send, and the functions answer mail-sending routes 503.
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_ses as ses
from constructs import Construct

from stacks.deployment import Deployment

DKIM_RECORDS = 3  # Easy DKIM with a 2048-bit key publishes three CNAME records


class MailIdentity(Construct):
    def __init__(self, scope: Construct, construct_id: str, deployment: Deployment) -> None:
        super().__init__(scope, construct_id)
        self.identity = ses.EmailIdentity(
            self,
            "Domain",
            identity=ses.Identity.domain(deployment.mail_domain),
            dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
            dkim_signing=True,
            feedback_forwarding=True,
        )
        for number, record in enumerate(self.identity.dkim_records, start=1):
            CfnOutput(
                scope,
                f"MailDkim{number}Name",
                value=record.name,
                description=f"CNAME name {number}/{DKIM_RECORDS} for {deployment.mail_domain}",
            )
            CfnOutput(scope, f"MailDkim{number}Value", value=record.value, description=f"CNAME value {number}")
