"""Indicators, annual targets and the cumulative figures units report."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.common.engine_text import say, say_error
from saima.engine.checks import CheckConfig
from saima.engine.errors import DataError
from saima.engine.rules import check_profile
from saima.org.models import BilingualName, Unit

FIGURE = {"max_digits": 20, "decimal_places": 6}


def validate_profile(value: object) -> None:
    """A time-sequence profile: cumulative percent, 12 entries (or 11 with Jan–Feb combined)."""
    if value in (None, []):
        return
    if not isinstance(value, list) or not all(isinstance(v, int | float) for v in value):
        raise ValidationError(_("A profile is a list of cumulative percentages."))
    try:
        check_profile([float(v) for v in value])
    except ValueError as exc:
        raise ValidationError(
            _("The profile %(problem)s.") % {"problem": say(exc.args[0])}
        ) from exc


def check_config(settings: object) -> CheckConfig:
    """The engine's CheckConfig for an indicator's stored check settings."""
    if not isinstance(settings, dict):
        raise DataError(gettext("check settings must be a mapping"))
    known = {f.name for f in dataclass_fields(CheckConfig)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise DataError(
            gettext("unknown check settings: %(unknown)s (known: %(known)s)")
            % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))}
        )
    try:
        return CheckConfig(**settings)
    except TypeError as exc:
        raise DataError(str(exc)) from None


def validate_check_settings(value: object) -> None:
    try:
        check_config(value or {})
    except DataError as exc:
        raise ValidationError(
            _("The check settings are not valid: %(problem)s")
            % {"problem": "; ".join(say_error(exc))}
        ) from exc


class Indicator(BilingualName):
    """A measured quantity: fixed-asset investment, industrial growth, PM2.5..."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("amount")
        GROWTH = "growth", _("growth")
        COUNT = "count", _("count")
        LEVEL = "level", _("level")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER
    )
    measure_zh = models.CharField(_("unit of measure (Chinese)"), max_length=32, blank=True)
    measure_en = models.CharField(_("unit of measure (English)"), max_length=32, blank=True)
    decimals = models.PositiveSmallIntegerField(
        _("decimals"), default=2, validators=[MaxValueValidator(6)]
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    combined_jan_feb = models.BooleanField(
        _("January and February reported together"), default=False
    )
    profile = models.JSONField(
        _("default time-sequence profile"),
        null=True,
        blank=True,
        validators=[validate_profile],
        help_text=_("Cumulative % per period; empty means linear."),
    )
    yellow_pp = models.FloatField(
        _("yellow threshold"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty: the office's default for the kind."),
    )
    check_settings = models.JSONField(
        _("check settings"),
        default=dict,
        blank=True,
        validators=[validate_check_settings],
        help_text=_(
            'How reported figures are checked, e.g. {"severity": {"decrease": "warning", '
            '"outlier_group": "off"}, "growth_tolerance_pp": 1.0}. Empty: the defaults.'
        ),
    )
    source = models.CharField(
        _("computed from"),
        max_length=64,
        blank=True,
        default="",
        help_text=_(
            "Empty: the units report it. Otherwise the records its figures are computed from "
            "(key projects, supervision items); no one reports it."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def measure(self) -> str:
        return self.measure_en if self.name == self.name_en else self.measure_zh

    @property
    def computed(self) -> bool:
        """Computed from other records (`source`), not reported by the units."""
        return bool(self.source)

    def clean(self) -> None:
        if self.source:
            from saima.metrics import sources

            found = sources.get(self.source)
            if found is None:
                raise ValidationError(
                    {
                        "source": _("%(source)s is not a source of figures.")
                        % {"source": self.source}
                    }
                )
            if self.kind not in found.kinds:
                raise ValidationError(
                    {
                        "kind": _("Figures of %(source)s are of the kind %(kinds)s.")
                        % {"source": found.label, "kinds": ", ".join(found.kinds)}
                    }
                )
        if self.profile and self.kind not in (self.Kind.AMOUNT, self.Kind.COUNT):
            raise ValidationError({"profile": _("Only amounts and counts follow a schedule.")})
        if self.profile and (len(self.profile) == 11) != self.combined_jan_feb:
            raise ValidationError(
                {"profile": _("11 entries exactly when January and February are combined.")}
            )


class Target(models.Model):
    """The annual goal of one unit on one indicator."""

    unit = models.ForeignKey(Unit, related_name="targets", on_delete=models.CASCADE)
    indicator = models.ForeignKey(Indicator, related_name="targets", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    value = models.DecimalField(_("target"), null=True, blank=True, **FIGURE)
    not_applicable = models.BooleanField(_("does not apply"), default=False)
    last_year_total = models.DecimalField(
        _("last year's full-year figure"), null=True, blank=True, **FIGURE
    )
    profile = models.JSONField(
        _("profile for this unit"), null=True, blank=True, validators=[validate_profile]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "year"], name="target_unique"),
            models.CheckConstraint(
                condition=models.Q(not_applicable=True) | models.Q(value__isnull=False),
                name="target_value_or_not_applicable",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator} · {self.year}"


class Observation(models.Model):
    """A cumulative figure of one unit on one indicator for a period (year, last month covered)."""

    unit = models.ForeignKey(Unit, related_name="observations", on_delete=models.CASCADE)
    indicator = models.ForeignKey(Indicator, related_name="observations", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    value = models.DecimalField(_("cumulative value"), null=True, blank=True, **FIGURE)
    last_year_value = models.DecimalField(
        _("last year's same period"), null=True, blank=True, **FIGURE
    )
    growth = models.DecimalField(_("reported growth (%)"), null=True, blank=True, **FIGURE)
    note = models.TextField(_("note"), blank=True, help_text=_("Reasons when lagging."))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("Raised by one on every save through the reporting service."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "indicator", "year", "month"], name="observation_unique"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.unit} · {self.indicator} · {self.year}-{self.month:02d}"
