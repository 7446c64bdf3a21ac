"""Horse races in the platform: definitions, the adjustments register, published snapshots,
laggard statements and objections.

A `RaceDefinition` keeps its rules as the mapping of `docs/rules.md` (the TOML document, parsed),
validated by the engine's own `Rules` model, so a rule moves between Saima and the CLI unchanged.
A `Publication` is a frozen snapshot: the inputs (an archive of columnar files, see
`RaceInputs.to_archive`), the rules as TOML, the standings and every score's explanation, exactly
as published. It is never changed or deleted; republishing makes a
new version with a reason.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.engine.frames import RaceInputs
from saima.org.models import BilingualName, RaceGroup, Unit, person_field


class Rhythm(models.TextChoices):
    """How often a race is run (its periods) — the monthly comment is separate."""

    MONTH = "month", _("every month")
    QUARTER = "quarter", _("every quarter")
    HALF = "half", _("every half year")
    YEAR = "year", _("once a year")


class RaceDefinition(BilingualName):
    """A race: which groups of units, how often, and the rules that score them."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    groups = models.ManyToManyField(RaceGroup, verbose_name=_("race groups"), related_name="races")
    rhythm = models.CharField(
        _("race every"), max_length=8, choices=Rhythm.choices, default=Rhythm.QUARTER
    )
    monthly_comment = models.BooleanField(
        _("monthly comment"),
        default=True,
        help_text=_("Show the standings every month between races, without publishing them."),
    )
    rules = models.JSONField(
        _("rules"), help_text=_("The rules of docs/rules.md, as stored (validated on save).")
    )
    objection_days = models.PositiveSmallIntegerField(
        _("days for objections"), default=7, validators=[MaxValueValidator(90)]
    )
    revision = models.PositiveIntegerField(
        _("rule revision"), default=1, help_text=_("Raised by one on every change of the rules.")
    )
    active = models.BooleanField(_("active"), default=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("race")
        verbose_name_plural = _("races")


class Evidence(models.Model):
    """An uploaded file supporting an adjustment or an objection, kept in the database.

    Files are served only through views that check who may read them.
    """

    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    uploaded_by = person_field(verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Adjustment(models.Model):
    """A bonus or deduction event of one unit in one race (the adjustments register)."""

    class Category(models.TextChoices):
        SAFETY = "safety", _("production safety")
        PETITIONS = "petitions", _("letters and visits")
        EPIDEMIC = "epidemic", _("epidemic prevention")
        ENVIRONMENT = "environment", _("environmental protection")
        INSPECTION = "inspection", _("inspection rectification")
        HONOURS = "honours", _("honours")
        OTHER = "other", _("other")

    race = models.ForeignKey(
        RaceDefinition, verbose_name=_("race"), related_name="adjustments", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="adjustments", on_delete=models.PROTECT
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    date = models.DateField(_("date of the event"))
    points = models.DecimalField(
        _("points"),
        max_digits=8,
        decimal_places=3,
        help_text=_("Positive for a bonus, negative for a deduction."),
    )
    reason = models.TextField(_("reason"))
    veto = models.BooleanField(_("veto"), default=False)
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    entered_by = person_field(verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = person_field(verbose_name=_("withdrawn by"))
    withdraw_reason = models.TextField(_("reason for withdrawal"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_category_display()} · {self.points}"


class ManualScore(models.Model):
    """Points of a `manual` item (an inspection or site-visit score) for one unit and period."""

    race = models.ForeignKey(RaceDefinition, related_name="manual_scores", on_delete=models.CASCADE)
    period = models.CharField(_("period"), max_length=10)
    unit = models.ForeignKey(Unit, related_name="+", on_delete=models.PROTECT)
    item = models.CharField(_("item"), max_length=64)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=3)
    entered_by = person_field(verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("manual score")
        verbose_name_plural = _("manual scores")
        constraints = [
            models.UniqueConstraint(
                fields=["race", "period", "unit", "item"], name="manual_score_unique"
            )
        ]


class FrozenError(Exception):
    """A published snapshot was about to change."""


class Publication(models.Model):
    """A published race result: a frozen snapshot of inputs, rules, results and explanations."""

    race = models.ForeignKey(
        RaceDefinition,
        verbose_name=_("race"),
        related_name="publications",
        on_delete=models.PROTECT,
    )
    period = models.CharField(_("period"), max_length=10)
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("reason for republishing"), blank=True)
    objection = models.ForeignKey(
        "Objection",
        verbose_name=_("objection upheld"),
        null=True,
        blank=True,
        related_name="republications",
        on_delete=models.PROTECT,
    )
    rules_toml = models.TextField(_("rules (TOML)"))
    rules_revision = models.PositiveIntegerField(_("rule revision"))
    #: `RaceInputs.to_archive()`: read it with `frozen_inputs()`.
    inputs = models.BinaryField(_("inputs"))
    standings = models.JSONField(_("standings"))
    explanation = models.JSONField(_("explanation"))
    missing = models.JSONField(_("missing figures"))
    published_by = person_field(verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    objections_until = models.DateField(_("objections until"))

    class Meta:
        ordering = ["race", "period", "-version"]
        verbose_name = _("published result")
        verbose_name_plural = _("published results")
        constraints = [
            models.UniqueConstraint(
                fields=["race", "period", "version"], name="publication_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.race.code} {self.period} v{self.version}"

    @cached_property
    def rules(self) -> dict[str, Any]:
        """The rules as published (never the race's current rules)."""
        try:
            return tomllib.loads(self.rules_toml)
        except tomllib.TOMLDecodeError:  # pragma: no cover - Saima wrote it with tomli-w
            return {}

    def frozen_inputs(self) -> RaceInputs:
        """The inputs as published (a new reading each call: the frames are large)."""
        return RaceInputs.from_archive(self.inputs)

    @property
    def decimals(self) -> int:
        """The decimals the published totals were ranked and shown at."""
        decimals = self.rules.get("decimals", 2)
        return decimals if isinstance(decimals, int) else 2

    @property
    def missing_policy(self) -> str:
        missing = self.rules.get("missing")
        return missing.get("policy", "zero") if isinstance(missing, dict) else "zero"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenError("a published result never changes; republish instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("a published result is never deleted")


class LaggardStatement(models.Model):
    """A laggard unit's statement (表态发言): cause, measures and a dated commitment."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned")
        ACCEPTED = "accepted", _("accepted")
        FULFILLED = "fulfilled", _("fulfilled")
        MISSED = "missed", _("commitment missed")
        WITHDRAWN = "withdrawn", _("no longer asked")

    publication = models.ForeignKey(
        Publication, verbose_name=_("result"), related_name="statements", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="statements", on_delete=models.PROTECT
    )
    why = models.JSONField(_("why a laggard"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    cause = models.TextField(_("cause"), blank=True)
    measures = models.TextField(_("measures"), blank=True)
    commitment = models.TextField(_("commitment"), blank=True)
    commitment_date = models.DateField(_("commitment date"), null=True, blank=True)
    submitted_by = person_field(verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = person_field(verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    office_comment = models.TextField(_("office's comment"), blank=True)
    follow_up = models.TextField(_("follow-up notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["publication", "unit__order", "unit__code"]
        verbose_name = _("laggard statement")
        verbose_name_plural = _("laggard statements")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "unit"], name="statement_one_per_unit_and_result"
            )
        ]


class Objection(models.Model):
    """A unit's objection to a published result, answered by the office."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        UPHELD = "upheld", _("upheld")
        DISMISSED = "dismissed", _("dismissed")

    publication = models.ForeignKey(
        Publication, verbose_name=_("result"), related_name="objections", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="objections", on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason"))
    evidence = models.ForeignKey(
        Evidence,
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    filed_by = person_field(verbose_name=_("filed by"))
    filed_at = models.DateTimeField(_("filed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = person_field(verbose_name=_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
