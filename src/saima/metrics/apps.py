from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "saima.metrics"
    label = "metrics"
    verbose_name = _("Indicators and figures")

    def ready(self) -> None:
        from saima.common import menu

        menu.add(
            menu.Entry(
                "targets",
                _("Targets"),
                "metrics:targets",
                order=25,
                current=("metrics",),
                visible=lambda access: access.sees_everything,
            )
        )
