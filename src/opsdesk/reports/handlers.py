def handlers() -> list:
    return []
