from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "saima.reporting"
    label = "reporting"
    verbose_name = _("Reporting cycle")

    def ready(self) -> None:
        from saima.common import menu, todo
        from saima.reporting import tasks

        menu.add(
            menu.Entry(
                "reporting", _("Reporting"), "reporting:board", order=20, current=("reporting",)
            )
        )
        todo.add("reporting", tasks.tasks_for)
