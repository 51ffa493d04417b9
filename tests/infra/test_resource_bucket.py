"""The resources bucket as deployed: private, encrypted, TLS only, kept on stack delete, in Seoul, with the
catalogue's sample files deployed under the keys the public API signs links for."""

from __future__ import annotations

import json

from policybound import tables
from policybound.catalogue import RESOURCE_KEY_PREFIX, RESOURCES
from stacks.paths import SAMPLE_RESOURCES_DIR
from tests.infra.conftest import Synth, resources


def test_the_resources_bucket_is_private_encrypted_and_retained(synth: Synth) -> None:
    data = synth.template("PolicyboundData")
    (bucket,) = [
        r for lid, r in resources(data, "AWS::S3::Bucket").items() if lid.startswith(tables.RESOURCE_FILES.logical_id)
    ]
    props = bucket["Properties"]
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["DeletionPolicy"] == "Retain"
    policies = json.dumps(resources(data, "AWS::S3::BucketPolicy"))
    assert '"aws:SecureTransport": "false"' in policies
    assert synth.built.data.region == "ap-northeast-2"


def test_every_catalogue_resource_has_a_sample_file_deployed_under_its_key(synth: Synth) -> None:
    assert {p.name for p in SAMPLE_RESOURCES_DIR.iterdir()} == {r.file_name for r in RESOURCES}
    assert all(r.object_key == RESOURCE_KEY_PREFIX + r.file_name for r in RESOURCES)
    data = synth.template("PolicyboundData")
    (deployment,) = [r for r in data["Resources"].values() if r["Type"] == "Custom::CDKBucketDeployment"]
    assert deployment["Properties"]["DestinationBucketKeyPrefix"] == RESOURCE_KEY_PREFIX
    assert deployment["Properties"]["Prune"] is False
