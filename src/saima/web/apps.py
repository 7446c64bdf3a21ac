from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "saima.web"
    label = "web"
    verbose_name = _("Pages")

    def ready(self) -> None:
        from saima.common import menu

        for order, (key, label, current) in enumerate(
            (
                ("overview", _("Overview"), ("overview",)),
                ("units", _("Units"), ("units", "unit")),
                ("indicators", _("Indicators"), ("indicators", "indicator")),
            )
        ):
            menu.add(menu.Entry(key, label, key, order=order, current=current, keeps_period=True))
        menu.add(
            menu.Entry(
                "table",
                _("Table"),
                "table",
                order=3,
                current=("table",),
                visible=lambda access: access.sees_everything,
                keeps_period=True,
            )
        )
        menu.add(
            menu.Entry(
                "dashboard",
                _("Dashboard"),
                "dashboard",
                order=4,
                current=("dashboard",),
                visible=lambda access: access.sees_everything,
                keeps_period=True,
            )
        )
