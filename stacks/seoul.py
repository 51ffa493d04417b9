"""The one region Policybound may run in: §5 of the policy consigns PI to AWS Seoul and nowhere else."""

from __future__ import annotations

from policybound.policy import AWS_REGION

SEOUL = AWS_REGION


class RegionNotAllowedError(ValueError):
    """Raised at synth time so a template for another region is never written."""


def require_seoul(region: str) -> str:
    if region != SEOUL:
        raise RegionNotAllowedError(
            f"Policybound deploys only to {SEOUL} (AWS Seoul): the privacy policy §5 names the Seoul region as "
            f"the only place personal information is kept, but region {region!r} was requested. "
            f"Remove the 'region' context value or set it to {SEOUL}."
        )
    return region
