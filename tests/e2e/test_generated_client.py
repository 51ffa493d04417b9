"""What a website developer does: generate a Python client from local mode's /openapi.json with
openapi-python-client (offline; it formats with the pinned ruff) and submit each form through it."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from policybound.policy import FORMS, FormId
from tests.e2e.conftest import ROOT, LocalServer

pytestmark = pytest.mark.e2e

PACKAGE = "policybound_client"


def snake(name: str) -> str:
    return name.replace("-", "_")


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


@pytest.fixture(scope="module")
def client_package(local_server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    where = tmp_path_factory.mktemp("generated")
    document = where / "openapi.json"
    document.write_text(requests.get(f"{local_server.api_url}/openapi.json", timeout=30).text)
    binaries = Path(sys.executable).parent
    # No proxy and no index: the generator needs nothing but the document (it formats with ruff).
    env = dict(os.environ, PATH=f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}", NO_PROXY="*")
    command: list[str | Path] = [binaries / "openapi-python-client", "generate", "--path", document]
    command += ["--meta", "none", "--output-path", where / PACKAGE]
    result = subprocess.run(
        command,
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # A warning means part of the document could not be turned into code: a developer would lose it.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def module(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


def test_each_form_is_submitted_through_the_generated_client(
    client_package: ModuleType, local_server: LocalServer
) -> None:
    client = module(client_package, "client").Client(base_url=local_server.api_url, raise_on_unexpected_status=True)
    models = module(client_package, "models")
    # The operation ids name the calls: api/<tag>/<operationId>.py.
    policy = module(client_package, "api.policy.get_policy").sync(client=client, accept_language="en")
    document = policy.to_dict()
    assert document["version"]
    for form in FormId:
        described = next(f for f in document["forms"] if f["form"] == form.value)
        fields = {
            item["name"]: EXAMPLE_VALUES[item["name"]]
            for item in described["required_items"] + described["optional_items"]
        }
        consent: dict[str, Any] = {"required": True, "optional": True, "policy_version": document["version"]}
        submission = getattr(models, f"{camel(form.value)}Submission").from_dict({"fields": fields, "consent": consent})
        submit = module(client_package, f"api.forms.submit_{snake(form.value)}")
        response = submit.sync_detailed(client=client, body=submission, idempotency_key=str(uuid.uuid4()))
        assert response.status_code == 201, response.content
        receipt = response.parsed
        assert isinstance(receipt, models.ReceiptOut)
        assert receipt.form == form.value
        assert set(receipt.items_collected) == set(FORMS[form].items)
        assert receipt.items_dropped == []
        assert receipt.policy_version == document["version"]


def test_a_refusal_reaches_the_generated_client_in_the_one_error_shape(
    client_package: ModuleType, local_server: LocalServer
) -> None:
    client = module(client_package, "client").Client(base_url=local_server.api_url)
    models = module(client_package, "models")
    body: dict[str, Any] = {
        "fields": {name: EXAMPLE_VALUES[name] for name in FORMS[FormId.CONTACT_US].required_items},
        "consent": {"required": True, "policy_version": "2019-09-20"},
    }
    body["fields"]["email"] = "not-an-address"
    response = module(client_package, "api.forms.submit_contact_us").sync_detailed(
        client=client, body=models.ContactUsSubmission.from_dict(body)
    )
    assert response.status_code == 422
    error = response.parsed
    assert isinstance(error, models.ErrorOut)
    assert error.error.code == "validation_failed"
    assert [detail.field for detail in error.error.details] == ["fields.email"]
    assert "not-an-address" not in json.dumps(error.to_dict())


# Values a person would type; each passes the form's validation.
EXAMPLE_VALUES = {
    "name": "Kim Minji",
    "email": "minji@example.co.kr",
    "contact": "010-1234-5678",
    "organization": "Example Corp",
    "company": "Example Corp",
    "job_grade": "Manager",
    "job": "Engineer",
    "department": "Digital Strategy",
    "interests": "Cloud, AI",
    "inquiry": "Please call me about the cloud migration.",
    "resource_id": "cloud-whitepaper-2019",
}


def test_the_embedding_guides_example_runs_against_the_generated_client(
    client_package: ModuleType, local_server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    guide = (ROOT / "docs" / "embedding.md").read_text()
    section = guide.split("## 6. Generate a client from the OpenAPI document", 1)[1].split("\n## ", 1)[0]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert 'base_url="http://127.0.0.1:3000"' in example
    code = example.replace('base_url="http://127.0.0.1:3000"', f'base_url="{local_server.api_url}"')
    exec(compile(code, "docs/embedding.md", "exec"), {"__name__": "guide_example"})  # noqa: S102 - our own docs
    assert capsys.readouterr().out.startswith("kept until 20")
