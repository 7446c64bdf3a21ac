from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RacesConfig(AppConfig):
    name = "saima.races"
    label = "races"
    verbose_name = _("Horse races")

    def ready(self) -> None:
        from saima.common import jobs, menu, todo
        from saima.races.followup import tasks

        menu.add(menu.Entry("races", _("Races"), "races:index", order=30, current=("races",)))
        todo.add("races", tasks.tasks_for)
        # Publishing with gains takes seconds on a national race: a job, never a request.
        jobs.add(
            jobs.Kind(
                "races.publish",
                _("Publishing a race"),
                handler="saima.races.results.services.run_publish_job",
            )
        )
