"""The worker's portal handlers: satisfaction surveys and sign-in link upkeep."""

from .signin import PurgeSignInLinks
from .surveys import SendSurveys


def handlers() -> list:
    return [SendSurveys(), PurgeSignInLinks()]
