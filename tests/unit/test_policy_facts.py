"""The company's facts are data: another directory of the same shape publishes another company's policy
without a code change, and a malformed facts file stops the import, naming the file and the field."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from policybound import policy

ROOT = Path(__file__).resolve().parents[2]

# GET /v1/policy through the real routes over the in-memory ports, in a fresh interpreter: the facts are
# read at import, so only a new process sees another directory.
PUBLISH = """
import json
from tests.support.gateways import public_client
from tests.support.ports import MovableClock, fake_services
from tests.conftest import NOW
response = public_client(fake_services(MovableClock(NOW))).get("/v1/policy")
print(json.dumps({"status": response.status_code, "body": response.get_json()}))
"""


def policy_data(tmp_path: Path, change: Any) -> Path:
    for name in ("versions.json", policy.VERSIONS[0].text_file):
        shutil.copy(policy.POLICY_DATA / name, tmp_path / name)
    facts = json.loads((policy.POLICY_DATA / "facts.json").read_text(encoding="utf-8"))
    change(facts)
    (tmp_path / "facts.json").write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def run(data: Path, code: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'lambdas'}{os.pathsep}{ROOT}",
        "POLICYBOUND_POLICY_DATA": str(data),
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False, timeout=120
    )


def another_company(facts: dict[str, Any]) -> None:
    facts["company"] = {"en": "Acme Widgets", "ko": "에이크미 위젯"}
    facts["contacts"] = [
        {
            "role": {"en": "Privacy Officer", "ko": "개인정보 보호책임자"},
            "department": {"en": "Legal", "ko": "법무팀"},
            "email": "privacy@acme.example",
        }
    ]
    [name] = [item for item in facts["items"] if item["name"] == "name"]
    name["label"] = {"en": "Full name", "ko": "성명"}


def test_another_companys_facts_are_published_without_a_code_change(tmp_path: Path) -> None:
    done = run(policy_data(tmp_path, another_company), PUBLISH)
    assert done.returncode == 0, done.stderr[-3000:]
    published = json.loads(done.stdout.splitlines()[-1])
    assert published["status"] == 200
    body = published["body"]
    assert [c["email"] for c in body["contacts"]] == ["privacy@acme.example"]
    contact_us = next(form for form in body["forms"] if form["form"] == "contact-us")
    assert contact_us["required_items"][0]["label"] == "Full name"
    everything = json.dumps(body, ensure_ascii=False)
    assert "Acme Widgets" in everything
    assert "lgcns.com" not in everything
    assert "LG CNS" not in everything


def test_a_malformed_facts_file_fails_the_import_naming_the_field(tmp_path: Path) -> None:
    def break_it(facts: dict[str, Any]) -> None:
        facts["forms"]["contact-us"]["required_items"].append("shoe_size")

    done = run(policy_data(tmp_path, break_it), "import policybound.policy")
    assert done.returncode != 0
    assert "PolicyDataInvalid" in done.stderr
    assert "facts.json: forms.contact-us.required_items.6 names 'shoe_size'" in done.stderr


def test_a_facts_file_missing_a_purposes_text_fails_the_import(tmp_path: Path) -> None:
    done = run(policy_data(tmp_path, lambda facts: facts["purposes"].pop("blog_letter")), "import policybound.policy")
    assert done.returncode != 0
    assert "facts.json: purposes.blog_letter is required" in done.stderr
