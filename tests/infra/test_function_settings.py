"""Every deployed function starts: the environment the template gives it satisfies its entry point's
settings loader. The entry module is imported for real with the synthesized variables (CloudFormation
tokens replaced by placeholders), so a setting the code starts requiring fails here, not at cold start."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from policybound import settings
from stacks.functions import FUNCTIONS, FunctionSpec
from tests.infra.conftest import Synth, cdk_path, resources


def deployed_environment(synth: Synth, spec: FunctionSpec) -> dict[str, str]:
    api = synth.template("PolicyboundApi")
    (function,) = [
        f for f in resources(api, "AWS::Lambda::Function").values() if f"/{spec.name}/Function/" in cdk_path(f)
    ]
    variables: dict[str, Any] = function["Properties"]["Environment"]["Variables"]
    return {name: stand_in(value, f"deployed-{name.lower()}") for name, value in variables.items()}


def stand_in(value: Any, name: str) -> str:
    """A Ref or Fn::GetAtt becomes a name or ARN at deploy time, so any non-empty string stands in for it;
    an Fn::Join (the API's stage URL) keeps its literal parts around such stand-ins."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(stand_in(part, "deployed") for part in parts)
    return name


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Imports an entry module afresh with exactly the given environment (plus a region for boto3)."""
    saved = {name: module for name, module in sys.modules.items() if name.startswith("entrypoints.")}

    def start_with(spec: FunctionSpec, environ: dict[str, str]) -> None:
        for name in [*settings.environment_names().values(), "AWS_ENDPOINT_URL"]:
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-2")
        settings.load_settings.cache_clear()
        sys.modules.pop(spec.module, None)
        importlib.import_module(spec.module)

    yield start_with
    settings.load_settings.cache_clear()
    package = sys.modules.get("entrypoints")
    for name in [n for n in sys.modules if n.startswith("entrypoints.")]:
        del sys.modules[name]
        # `from entrypoints import x` reads the package attribute: leave it as before, or absent.
        if package is not None and name not in saved:
            vars(package).pop(name.rsplit(".", 1)[1], None)
    sys.modules.update(saved)
    if package is not None:
        for name, module in saved.items():
            setattr(package, name.rsplit(".", 1)[1], module)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_function_starts_with_the_environment_it_is_deployed_with(
    synth: Synth, start: Any, spec: FunctionSpec
) -> None:
    start(spec, deployed_environment(synth, spec))
    assert spec.module in sys.modules


def function_named(name: str) -> FunctionSpec:
    (spec,) = [s for s in FUNCTIONS if s.name == name]
    return spec


# Its user pool, and the console's app client whose tokens are staff sign-ins.
@pytest.mark.parametrize("field", ["staff_user_pool_id", "staff_app_client_ids"])
def test_the_staff_api_refuses_to_start_without_its_user_pool_settings(synth: Synth, start: Any, field: str) -> None:
    staff = function_named("StaffApi")
    environ = deployed_environment(synth, staff)
    variable = settings.environment_name(field)
    del environ[variable]
    with pytest.raises(settings.SettingsError, match=variable):
        start(staff, environ)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_a_missing_table_stops_every_function_at_start_up(synth: Synth, start: Any, spec: FunctionSpec) -> None:
    # Each function validates the settings it reads: take away a table its spec says it uses.
    table = spec.tables[0].table.env_var
    environ = deployed_environment(synth, spec)
    del environ[table]
    with pytest.raises(settings.SettingsError, match=table):
        start(spec, environ)


def test_a_function_does_not_validate_what_it_does_not_read(synth: Synth, start: Any) -> None:
    sign_in = function_named("StaffSignIn")
    environ = deployed_environment(synth, sign_in)
    del environ[settings.environment_name("records_table")]
    environ[settings.environment_name("public_base_url")] = "not a url"
    start(sign_in, environ)
    assert sign_in.module in sys.modules
