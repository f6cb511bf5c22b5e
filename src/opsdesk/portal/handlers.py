"""The worker's portal handlers (satisfaction surveys)."""


def handlers() -> list:
    return []
