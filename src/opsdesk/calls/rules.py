"""Who may read and record phone calls. Plain code, no database access."""


def may_view(user) -> bool:
    """Call records name callers and numbers: service staff only."""
    return user.is_authenticated and user.is_active and not user.is_requester


def may_record(user) -> bool:
    """`None` is the command line, whose user administers the server. A
    telephony integration records through a staff (or robot) account's token."""
    return user is None or may_view(user)
