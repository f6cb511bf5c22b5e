from django.db import connection


def next_value(key: str, step: int = 1) -> int:
    """Atomically increment the counter `key` (by `step`, to reserve a block of
    values ending at the one returned) and return its new value.

    One INSERT … ON CONFLICT … RETURNING statement: on PostgreSQL the row lock
    serialises concurrent callers, on SQLite the write lock does.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_counter (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = core_counter.value + EXCLUDED.value "
            "RETURNING value",
            [key, step],
        )
        return cursor.fetchone()[0]
