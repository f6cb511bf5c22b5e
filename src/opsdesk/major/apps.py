from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MajorConfig(AppConfig):
    name = "opsdesk.major"
    label = "major"
    verbose_name = _("Major incidents")
