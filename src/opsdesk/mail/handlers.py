"""The worker's mail handlers: poll IMAP mailboxes, and finish stored mails
whose processing was cut short."""

from .imap import PollMailboxes
from .ingest import ProcessStoredMail


def handlers() -> list:
    return [PollMailboxes(), ProcessStoredMail()]
