from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "saima.reporting"
    label = "reporting"
    verbose_name = _("Reporting cycle")

    def ready(self) -> None:
        from saima.common import jobs, menu, todo
        from saima.reporting import tasks

        menu.add(
            menu.Entry(
                "reporting", _("Reporting"), "reporting:board", order=20, current=("reporting",)
            )
        )
        todo.add("reporting", tasks.tasks_for)
        # Reminders are once a day per unit, month and kind: the job may run as often as wanted.
        jobs.add(
            jobs.Kind(
                "reporting.remind",
                _("Reminders to units"),
                handler="saima.reporting.jobs.run_reminders",
            )
        )
        # A large import is saved by a worker: one transaction, every row or none.
        jobs.add(
            jobs.Kind(
                "reporting.import",
                _("Importing figures"),
                handler="saima.reporting.jobs.run_import",
            )
        )
