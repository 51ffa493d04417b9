#!/usr/bin/env python3
"""CDK entry point (`cdk synth`, `make synth`): Policybound's stacks, in Seoul, checked by cdk-nag."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The stacks read the policy and table declarations from the Lambda package; make it importable even
# when `cdk` runs this file without the Makefile's PYTHONPATH.
_ROOT = Path(__file__).resolve().parent
for _path in (_ROOT / "lambdas", _ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from aws_cdk import App  # noqa: E402

from stacks.app import build  # noqa: E402
from stacks.deployment import cdk_json_context  # noqa: E402


def main() -> None:
    # The CDK CLI passes cdk.json's context itself (CDK_CONTEXT_JSON); a plain `python app.py` reads it here.
    app = App(context=None if "CDK_CONTEXT_JSON" in os.environ else cdk_json_context())
    # Deploys name the target account through the CLI's profile; synth without credentials leaves it open.
    build(app, account=os.environ.get("CDK_DEFAULT_ACCOUNT"))
    app.synth()


if __name__ == "__main__":
    main()
