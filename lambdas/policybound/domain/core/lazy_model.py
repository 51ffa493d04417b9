"""The base of every request and response model.

A Lambda function imports every route family's models but one request uses a few: pydantic builds a
model's validator and serializer when the model is first used, not when its class is created, so a cold
start pays for the models its request needs.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class LazyModel(BaseModel):
    model_config = ConfigDict(defer_build=True)
