from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RacesConfig(AppConfig):
    name = "saima.races"
    label = "races"
    verbose_name = _("Horse races")
