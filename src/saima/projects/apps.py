from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "saima.projects"
    label = "projects"
    verbose_name = _("Key projects")

    def ready(self) -> None:
        from saima.common import menu, todo
        from saima.projects import figures, tasks

        menu.add(
            menu.Entry("projects", _("Projects"), "projects:index", order=40, current=("projects",))
        )
        todo.add("projects", tasks.tasks_for)
        figures.register()
