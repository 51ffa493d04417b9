"""Imported once, by every instance of tests.unit.resolver_module: what lets their events overlap."""

import threading

BOTH_RESOLVING = threading.Barrier(2)
