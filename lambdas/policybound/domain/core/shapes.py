"""Request schemas for bodies whose rule spans fields ("either the records or the address", "each legal
basis with its own evidence"): the model validates as one class, with a validator whose answer names
the missing part; its JSON Schema states the rule as complete shapes, one per way of sending it.

Complete shapes, not `required` lists beside the properties: generated clients get one model per shape
(openapi-python-client drops a route whose body is a oneOf of partial schemas), and a fuzzer that
generates from a shape sends only bodies that can pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Shape:
    """One way of sending the body: `carries` are required in it (their null option dropped), `omits` are
    left out of it, and `fixed` replaces a property's schema (a discriminator's one value)."""

    title: str
    carries: tuple[str, ...]
    omits: tuple[str, ...] = ()
    fixed: Mapping[str, dict[str, Any]] = field(default_factory=dict)


def one_of_shapes(*shapes: Shape) -> Callable[[dict[str, Any]], None]:
    """A model's `json_schema_extra`: its schema becomes a `oneOf` of the shapes (so they must not
    overlap: each omits what tells another apart)."""

    def describe(schema: dict[str, Any]) -> None:
        properties: dict[str, Any] = schema.pop("properties")
        required: list[str] = schema.pop("required", [])
        schema.pop("type", None)
        schema.pop("additionalProperties", None)
        schema["oneOf"] = [
            {
                "type": "object",
                "title": shape.title,
                "properties": {
                    name: shape.fixed.get(name) or (_given(declared) if name in shape.carries else declared)
                    for name, declared in properties.items()
                    if name not in shape.omits
                },
                "required": [*required, *(name for name in shape.carries if name not in required)],
                "additionalProperties": False,
            }
            for shape in shapes
        ]

    return describe


def at_least_one(schema: dict[str, Any]) -> None:
    """A model's `json_schema_extra` for a body of optional properties that must carry at least one:
    `minProperties: 1`, and none of them null (a null would not count as carrying it). One schema, not
    shapes: a generator names an object property inside a oneOf member twice and drops it."""
    schema["properties"] = {name: _given(declared) for name, declared in schema["properties"].items()}
    schema["minProperties"] = 1


def _given(declared: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without its null option, keeping the limits stated beside the options."""
    outer = {key: value for key, value in declared.items() if key not in ("anyOf", "default")}
    options = [option for option in declared.get("anyOf", [declared]) if option.get("type") != "null"]
    inner = {key: value for key, value in options[0].items() if key != "default"}
    return inner | outer
