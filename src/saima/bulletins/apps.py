from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "saima.bulletins"
    label = "bulletins"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from saima.bulletins import delivery
        from saima.bulletins.meeting import panels, selectors, supervision
        from saima.common import jobs, menu, todo

        menu.add(
            menu.Entry(
                "bulletins", _("Bulletins"), "bulletins:index", order=60, current=("bulletins",)
            )
        )
        menu.add(
            menu.Entry(
                "meeting",
                _("Meeting screen"),
                "meeting:screen",
                order=70,
                current=("meeting",),
                visible=lambda access: access.sees_everything,
            )
        )
        todo.add("bulletins", delivery.bulletins_to_read)
        selectors.add_panel("projects", panels.projects_panel)
        selectors.add_panel("supervision", supervision.overdue_slides)
        # Drawing a bulletin's DOCX, PDF and XLSX takes seconds: issuing is a job.
        jobs.add(
            jobs.Kind(
                "bulletins.issue",
                _("Issuing a bulletin"),
                handler="saima.bulletins.services.run_issue_job",
            )
        )
