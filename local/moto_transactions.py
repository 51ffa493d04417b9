"""DynamoDB transactions in local mode's moto at the cost of the items they name, not of whole tables.

moto's `TransactWriteItems` deep-copies every table a transaction touches before it starts, so that it
can put the copy back if the transaction is cancelled: each call costs time in proportion to the
table's size (about 70 µs per stored item), and local mode slows down quadratically as it fills — a
few thousand submissions take many minutes, where DynamoDB's cost per call does not grow. A
transaction writes only the items its operations name (one key each), so keeping those items, and
each table stream's length, restores exactly the state moto's copy would have: that is what this
does, and moto's own table copy becomes the table itself for the duration of the call.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

_state = threading.local()


def _backups(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]] | None:
    """(table, hash key, range key, item before or None) per operation; None if one cannot be read,
    in which case moto's own copy is used and raises what it raises."""
    backups = []
    for entry in transact_items:
        try:
            _, op = next(iter(entry.items()))
            table = backend.tables[op["TableName"]]
            key = op.get("Key")
            if key is None:
                key = {a: op["Item"][a] for a in (table.hash_key_attr, table.range_key_attr) if a}
            hash_key, range_key = backend.get_keys_value(table, key)
            before = table.get_item(hash_key, range_key)
        except Exception:
            return None
        backups.append((table, hash_key, range_key, copy.deepcopy(before)))
    return backups


def _restore(backups: list[tuple[Any, Any, Any, Any]], stream_lengths: dict[int, tuple[Any, int]]) -> None:
    # Reversed, so an item named twice (moto refuses that, after writing the first) ends as it began.
    for table, hash_key, range_key, before in reversed(backups):
        if range_key is not None:
            if before is None:
                table.items[hash_key].pop(range_key, None)
                if not table.items[hash_key]:
                    table.items.pop(hash_key, None)
            else:
                table.items[hash_key][range_key] = before
        elif before is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = before
    for table, length in stream_lengths.values():
        del table.stream_shard.items[length:]


def install() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent); local mode calls it before moto starts."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend.transact_write_items, "item_backups", False):
        return
    original: Callable[[Any, list[dict[str, Any]]], None] = DynamoDBBackend.transact_write_items

    def table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
        if getattr(_state, "in_transaction", False):
            return self
        # Anywhere else (backups, restores) a table is copied as Python would copy it.
        return copy._reconstruct(self, memo, *self.__reduce_ex__(4))  # type: ignore[attr-defined]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = _backups(self, transact_items) if len(transact_items) <= 100 else None
        if backups is None:
            original(self, transact_items)
            return
        streams = {
            id(table): (table, len(table.stream_shard.items)) for table, *_ in backups if table.stream_shard is not None
        }
        _state.in_transaction = True
        try:
            original(self, transact_items)
        except BaseException:
            _restore(backups, streams)
            raise
        finally:
            _state.in_transaction = False

    transact_write_items.item_backups = True  # type: ignore[attr-defined]
    # Patching moto's classes is the point here; mypy rightly sees no such method on them.
    setattr(Table, "__deepcopy__", table_deepcopy)  # noqa: B010
    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
