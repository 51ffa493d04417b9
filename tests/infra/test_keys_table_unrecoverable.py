"""Crypto-shredding holds only if a deleted data key cannot come back: the synthesised keys table has no
point-in-time recovery and no AWS Backup plan reaches it. Stated from the template alone — the table is
found by its construct path and key schema, not through `policybound.tables` — so a change to the
declaration that turned backups on fails here."""

from __future__ import annotations

import json

from tests.infra.conftest import Synth, cdk_path, resources


def test_the_keys_table_has_no_point_in_time_recovery_and_no_backup(synth: Synth) -> None:
    data = synth.template("PolicyboundData")
    tables_found = {
        name: r for name, r in resources(data, "AWS::DynamoDB::Table").items() if "/RecordKeys/" in cdk_path(r) + "/"
    }
    assert len(tables_found) == 1
    ((logical_id, keys_table),) = tables_found.items()
    properties = keys_table["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "submission_id", "KeyType": "HASH"}]
    pitr = properties.get("PointInTimeRecoverySpecification", {})
    assert pitr.get("PointInTimeRecoveryEnabled", False) is False
    assert "RecoveryPeriodInDays" not in pitr
    for name, template in synth.templates.items():
        backup = [r for r in template["Resources"].values() if r["Type"].startswith("AWS::Backup::")]
        assert backup == [], f"{name} declares AWS Backup resources"
        # Nor may anything else name the table as a source of copies (exports, replicas, backups).
        for other_id, resource in template["Resources"].items():
            if other_id == logical_id or resource["Type"].startswith(("AWS::IAM::", "AWS::Lambda::")):
                continue
            text = json.dumps(resource)
            assert logical_id not in text or resource["Type"] in {"AWS::KMS::Key", "AWS::CloudTrail::Trail"}, (
                f"{other_id} ({resource['Type']}) refers to the keys table"
            )


def test_the_records_table_keeps_35_days_of_point_in_time_recovery(synth: Synth) -> None:
    data = synth.template("PolicyboundData")
    (records,) = [r for r in resources(data, "AWS::DynamoDB::Table").values() if "/Records/" in cdk_path(r) + "/"]
    pitr = records["Properties"]["PointInTimeRecoverySpecification"]
    assert pitr == {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 35}
