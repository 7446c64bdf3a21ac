from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "saima.demo"
    label = "demo"
    verbose_name = _("Demo data")

    def sign_ins(self) -> tuple[list[tuple[str, str]], str]:
        """The demo's logins (username, role) and their password, which the login page shows in
        demo mode: asked through the app registry, so the pages import nothing of the demo."""
        from saima.demo.summary import DEMO_LOGINS, DEMO_PASSWORD

        return list(DEMO_LOGINS), DEMO_PASSWORD
