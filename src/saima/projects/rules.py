"""The office's project settings as the engine takes them: lead times, rate definitions."""

from __future__ import annotations

from saima.engine.projects import (
    DEFAULT_LEAD_DAYS,
    ConversionRates,
    ProjectIndicatorCodes,
    ProjectRules,
)
from saima.projects.models import Project, ProjectSettings


def current_settings() -> ProjectSettings:
    """The office's settings (an unsaved row of defaults until the office saves them)."""
    return ProjectSettings.objects.order_by("pk").first() or ProjectSettings()


def lead_days(settings: ProjectSettings, project: Project | None = None) -> dict[str, int]:
    """Lead times for reverse scheduling: the usual defaults, the office's, then the project's
    own, each overriding the one before."""
    merged = dict(DEFAULT_LEAD_DAYS)
    merged.update({k: int(v) for k, v in (settings.lead_days or {}).items()})
    if project is not None:
        merged.update({k: int(v) for k, v in (project.lead_days or {}).items()})
    return merged


def conversion_rates(settings: ProjectSettings) -> ConversionRates:
    return ConversionRates(
        basis=settings.rate_basis,
        numerator=settings.rate_numerator,
        later_stages=settings.later_stages,
        cap=settings.cap,
        decimals=settings.decimals,
    )


def project_rules(settings: ProjectSettings) -> ProjectRules:
    """How the unit figures are defined, for `project_unit_figures`."""
    return ProjectRules(
        rates=conversion_rates(settings),
        milestones_from=settings.milestones_from,
        codes=ProjectIndicatorCodes(),
    )
