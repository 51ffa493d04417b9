"""Where the repository's pieces are, so synth works from any working directory (CLI, tests, IDE)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The only Lambda asset root (DESIGN.md): the domain package and the thin entry points.
LAMBDAS_DIR = REPO_ROOT / "lambdas"
LAMBDA_REQUIREMENTS = LAMBDAS_DIR / "requirements.txt"
CDK_JSON = REPO_ROOT / "cdk.json"
# Sample files of the downloadable resources (policybound.catalogue), uploaded by the stacks and local mode.
SAMPLE_RESOURCES_DIR = REPO_ROOT / "stacks" / "sample_resources"
# The sample site and the staff console (plain files), served by local mode and deployed by the site hosting.
WEB_DIR = REPO_ROOT / "web"
