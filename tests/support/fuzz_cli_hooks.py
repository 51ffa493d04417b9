"""The hooks module `st run` loads (SCHEMATHESIS_HOOKS): the fuzzers' hooks, registered for its run."""

from __future__ import annotations

import schemathesis

from tests.support.fuzz_hooks import fresh_idempotency_key

schemathesis.hook("before_call")(fresh_idempotency_key)
