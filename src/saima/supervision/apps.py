from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "saima.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from saima.common import menu, todo
        from saima.supervision import figures, tasks

        menu.add(
            menu.Entry(
                "supervision",
                _("Supervision"),
                "supervision:ledger",
                order=50,
                current=("supervision",),
            )
        )
        todo.add("supervision", tasks.tasks_for)
        figures.register()
