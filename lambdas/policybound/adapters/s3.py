"""S3: time-limited links to the resources bucket's files. Signing is local (no call to S3); S3 checks
the signature, the expiry and the signing role's s3:GetObject grant when the link is opened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError

from policybound.catalogue import Resource
from policybound.domain.core.errors import Unavailable


@dataclass(eq=False, repr=False)
class S3ResourceLinks:
    """Presigned links to the resources bucket's files."""

    s3: Any
    bucket: str

    def link(self, resource: Resource, valid_for_seconds: int) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": resource.object_key,
            # Saved under its own name, whatever the link's path looks like.
            "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(resource.file_name)}",
            "ResponseContentType": resource.content_type,
        }
        try:
            url: str = self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=valid_for_seconds)
        except (BotoCoreError, ClientError) as error:
            raise Unavailable("S3") from error
        return url
