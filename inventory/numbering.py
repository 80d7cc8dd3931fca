"""Entry numbers handed out before the rows are written.

A journal's lines refer to each other (a return applies to the receipt two lines up), so entry
numbers are taken in one round trip before anything is inserted, then everything is written with
bulk inserts. PostgreSQL draws them from the table's own sequence, so concurrent postings never
wait on a counter; SQLite runs one writer at a time (transactions start IMMEDIATE), so the
next free number is safe there.
"""

from django.db import connection, models


def allocate(model: type[models.Model], count: int) -> list[int]:
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (a scalar subquery), not once per number: that
            # lookup was five sixths of the statement.
            cursor.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))) "
                "FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))
