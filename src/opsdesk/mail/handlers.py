"""The worker's mail handlers."""


def handlers() -> list:
    return []
