from django.db import connection


def next_value(key: str) -> int:
    """Atomically increment the counter `key` and return its new value.

    One INSERT … ON CONFLICT … RETURNING statement: on PostgreSQL the row lock
    serialises concurrent callers, on SQLite the write lock does.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_counter (key, value) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = core_counter.value + 1 "
            "RETURNING value",
            [key],
        )
        return cursor.fetchone()[0]
