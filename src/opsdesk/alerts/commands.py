"""`opsdesk alert-source …`."""


def register(commands) -> None:
    """Add this app's subcommands to the `opsdesk` parser."""
