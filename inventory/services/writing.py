"""The one way value entries are written: with their row in the G/L posting queue, then the
hooks (automatic cost posting) see them, inside the same transaction."""

from collections.abc import Sequence

from django.db import connection

from inventory.models import PostValueEntryToGL, ValueEntry
from inventory.services.hooks import values_written
from inventory.sql import insert_instances, number_array


def value_entries_write(values: Sequence[ValueEntry]) -> list[ValueEntry]:
    if not values:
        return []
    written = insert_instances(ValueEntry, values)
    value_entries_written([v.pk for v in written])
    return written


def value_entries_written(entry_nos: Sequence[int]) -> None:
    """Queue value entries written some other way (e.g. by one INSERT ... SELECT) for the G/L
    and tell the hooks."""
    if not entry_nos:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO inventory_postvalueentrytogl (value_entry_id) "
                "SELECT unnest(%s::bigint[])",
                [number_array(entry_nos)],
            )
    else:
        PostValueEntryToGL.objects.bulk_create(
            [PostValueEntryToGL(value_entry_id=no) for no in entry_nos], batch_size=5000
        )
    values_written(entry_nos)
