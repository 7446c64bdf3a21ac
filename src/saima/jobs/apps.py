from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "saima.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.apps import apps

        from saima.common import jobs

        # The supervision app's escalation run, by name: it is declared here so that it runs
        # (scheduled or started by hand) as soon as the app is installed, whichever lands first.
        if apps.is_installed("saima.supervision"):
            jobs.add(
                jobs.Kind(
                    "supervision.escalate",
                    _("Escalation run"),
                    handler="saima.jobs.periodic.run_escalation",
                )
            )
