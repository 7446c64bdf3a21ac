"""The office's supervision settings as the engine takes them."""

from __future__ import annotations

from django.utils import timezone

from saima.engine.calendar import WorkCalendar
from saima.engine.supervision import DEFAULT_LADDER, EscalationStep, SupervisionRules
from saima.supervision.models import SupervisionSettings


def today():
    """Today in the office's time zone (tests fix it by patching `timezone.localdate`)."""
    return timezone.localdate()


def current_settings() -> SupervisionSettings:
    """The office's settings (the defaults until the office saves its own)."""
    return SupervisionSettings.objects.order_by("pk").first() or SupervisionSettings()


def rules(settings: SupervisionSettings | None = None) -> SupervisionRules:
    settings = settings or current_settings()
    return SupervisionRules(
        ack_working_days=settings.ack_working_days,
        closure=settings.closure,
        continuing=settings.continuing,
        decimals=settings.decimals,
    )


def ladder(settings: SupervisionSettings | None = None) -> tuple[EscalationStep, ...]:
    """The office's escalation ladder, or the engine's default one."""
    settings = settings or current_settings()
    if not settings.ladder:
        return DEFAULT_LADDER
    return tuple(
        EscalationStep(
            code=str(step.get("code", "")),
            trigger=step.get("trigger"),
            delay=step.get("delay"),
            action=str(step.get("action", "reminder")),
            working_days=bool(step.get("working_days", False)),
        )
        for step in settings.ladder
    )


def work_calendar() -> WorkCalendar:
    """Working days: weekends off. (The year's holidays are not kept by the platform yet.)"""
    return WorkCalendar()
