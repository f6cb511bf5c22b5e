"""`opsdesk mailbox …` and `opsdesk mail-ingest`."""


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
