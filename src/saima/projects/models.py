"""Key projects (重点项目): the list, stages, milestones, investment, the weekly schedule.

Amounts are kept in 万元 (ten thousand yuan), the unit an office's project list uses; files may
declare 亿元 and are converted on the way in. Every change that matters later (a stage, a date,
a plan, a figure, a report, a problem's status) is history-tracked with who and when.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.engine.projects import MILESTONES, STAGES
from saima.org.models import Unit, person_field

AMOUNT = {"max_digits": 20, "decimal_places": 4}

#: A project code as offices write them: QH-2026-001, 2026A12.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
validate_code = RegexValidator(
    CODE_PATTERN,
    _("A project code has 1 to 32 letters, digits, dots, hyphens or underscores."),
)
#: Codes the addresses under /projects/ use for pages of their own.
RESERVED_CODES = frozenset(
    {
        "new",
        "import",
        "export",
        "settings",
        "proposals",
        "map",
        "weekly",
        "problems",
        "photos",
        "investment",
        "indicators",
    }
)


def validate_free_code(value: str) -> None:
    if value.lower() in RESERVED_CODES:
        raise ValidationError(
            _("%(code)s names a page of the projects; choose another code.") % {"code": value}
        )


class Stage(models.TextChoices):
    """The pipeline: 谋划/储备 → 签约 → 落地 → 开工 → 竣工 → 投产 → 达产."""

    PLANNED = "planned", _("planned")
    SIGNED = "signed", _("signed")
    LANDED = "landed", _("landed")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    IN_PRODUCTION = "in_production", _("in production")
    AT_CAPACITY = "at_capacity", _("at capacity")


assert tuple(Stage.values) == STAGES  # the engine's pipeline, in its order


class MilestoneCode(models.TextChoices):
    """The milestones a project follows: two stages planned by hand, the formalities (前期手续)
    and the later stages that reverse scheduling plans."""

    SIGNED = "signed", _("signed")
    LANDED = "landed", _("landed")
    APPROVAL = "approval", _("approval or filing")
    LAND = "land", _("land")
    PLANNING = "planning", _("planning permit")
    ENVIRONMENT = "environment", _("environmental assessment")
    CONSTRUCTION_PERMIT = "construction_permit", _("construction permit")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    IN_PRODUCTION = "in_production", _("in production")
    AT_CAPACITY = "at_capacity", _("at capacity")


assert tuple(MilestoneCode.values) == MILESTONES

#: A project's own node (形象进度节点: "main structure topped out"...): `node_01`, `node_02`...
NODE_PATTERN = r"^node_[0-9]{2,3}$"
_NODE = re.compile(NODE_PATTERN)
#: Where a project's own nodes sit among its milestones: after the start, by planned date.
_NODES_AFTER = MILESTONES.index("started")


def validate_milestone_code(value: str) -> None:
    if value not in MilestoneCode.values and not _NODE.match(value or ""):
        raise ValidationError(
            _("%(code)s is neither a milestone of the pipeline nor a project's node.")
            % {"code": value}
        )


def milestone_order(code: str, planned) -> tuple:
    """How a project's milestones are listed: the pipeline's order, the project's own nodes
    after the start by their planned date."""
    if code in MilestoneCode.values:
        return (MILESTONES.index(code), 0, "")
    return (_NODES_AFTER, 1, planned.isoformat() if planned else "9999", code)


class ProjectSettings(models.Model):
    """The office's settings for projects (one row): lead times for reverse scheduling, the
    "due soon" window, when weekly reports are due, and how the unit figures are defined."""

    class Basis(models.TextChoices):
        FROM_STAGE = "from_stage_this_year", _("projects that reached the first stage this year")
        SIGNED = "signed_this_year", _("projects signed this year")
        LIST = "annual_list", _("the whole annual list")
        PLANNED = "planned_by_period", _("projects planned to reach the stage by the period")

    class Numerator(models.TextChoices):
        OF_BASIS = "of_basis", _("those of the denominator at the stage")
        REACHED = "reached_this_year", _("every project that reached the stage this year")

    class MilestonesFrom(models.TextChoices):
        YEAR = "year", _("milestones planned this year")
        ALL = "all", _("all milestones planned so far")

    lead_days = models.JSONField(
        _("lead times (days)"),
        default=dict,
        blank=True,
        help_text=_("Days from each milestone to the next; empty: the usual defaults."),
    )
    soon_days = models.PositiveSmallIntegerField(
        _("due soon within (days)"), default=14, validators=[MaxValueValidator(90)]
    )
    weekly_due_weekday = models.PositiveSmallIntegerField(
        _("weekly reports due on"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
        help_text=_("1 is Monday, 7 is Sunday."),
    )
    rate_basis = models.CharField(
        _("denominator of the conversion rates"),
        max_length=24,
        choices=Basis.choices,
        default=Basis.FROM_STAGE,
    )
    rate_numerator = models.CharField(
        _("numerator of the conversion rates"),
        max_length=24,
        choices=Numerator.choices,
        default=Numerator.OF_BASIS,
    )
    later_stages = models.BooleanField(_("later stages count as reached"), default=True)
    cap = models.BooleanField(_("rates capped at 100%"), default=False)
    decimals = models.PositiveSmallIntegerField(
        _("decimals of the rates"), default=1, validators=[MaxValueValidator(6)]
    )
    milestones_from = models.CharField(
        _("milestones on time counts"),
        max_length=8,
        choices=MilestonesFrom.choices,
        default=MilestonesFrom.YEAR,
    )
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project settings")
        verbose_name_plural = _("project settings")

    def __str__(self) -> str:
        return str(_("project settings"))


class Project(models.Model):
    """A key project on the office's list."""

    class Category(models.TextChoices):
        INDUSTRY = "industry", _("industry")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        SERVICES = "services", _("modern services")
        LIVELIHOOD = "livelihood", _("livelihood")
        ECOLOGY = "ecology", _("ecology and environment")
        AGRICULTURE = "agriculture", _("agriculture and rural")
        OTHER = "other", _("other")

    class Level(models.TextChoices):
        PROVINCIAL = "provincial", _("provincial key project")
        CITY = "city", _("city key project")
        COUNTY = "county", _("county key project")

    code = models.CharField(
        _("code"), max_length=32, unique=True, validators=[validate_code, validate_free_code]
    )
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), related_name="projects", on_delete=models.PROTECT
    )
    leader_name = models.CharField(_("leader in charge"), max_length=50, blank=True)
    leader = person_field(verbose_name=_("leader's account"))
    owner = models.CharField(_("owner company"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **AMOUNT)
    start_year = models.PositiveSmallIntegerField(
        _("construction from"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("construction to"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default="planned")
    stage_since = models.DateField(_("stage since"), null=True, blank=True)
    target_start = models.DateField(
        _("target start date"),
        null=True,
        blank=True,
        help_text=_("The date the milestones are reverse-scheduled from."),
    )
    lead_days = models.JSONField(
        _("own lead times (days)"),
        default=dict,
        blank=True,
        help_text=_("Lead times of this project that differ from the office's."),
    )
    active = models.BooleanField(_("on the list"), default=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit__order", "code"]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="project_years_in_order"
            ),
            models.CheckConstraint(
                condition=Q(total_investment__gte=0), name="project_investment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The English name for English readers when there is one, else the list's name."""
        english = (get_language() or "zh-hans").lower().startswith("en")
        return self.name_en if english and self.name_en else self.name


class StageChange(models.Model):
    """A project reaching (or, corrected, falling back to) a stage on a date."""

    project = models.ForeignKey(Project, related_name="stage_changes", on_delete=models.CASCADE)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    previous = models.CharField(_("previous stage"), max_length=16, choices=Stage.choices)
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    by = person_field(verbose_name=_("recorded by"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["project", "date", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.project.code} → {self.get_stage_display()} ({self.date})"


class Milestone(models.Model):
    """One milestone of a project with its planned and actual date.

    A unit's reporter may propose dates (`proposed_*`); the unit's approver (or the office)
    confirms them, which moves them into `planned` / `actual`, or rejects them with a reason.
    """

    project = models.ForeignKey(Project, related_name="milestones", on_delete=models.CASCADE)
    code = models.CharField(_("milestone"), max_length=24, validators=[validate_milestone_code])
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("The name of a project's own node (形象进度节点); empty for the pipeline's."),
    )
    planned = models.DateField(_("planned"), null=True, blank=True)
    actual = models.DateField(_("actual"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    proposed_planned = models.DateField(_("proposed planned date"), null=True, blank=True)
    proposed_actual = models.DateField(_("proposed actual date"), null=True, blank=True)
    proposal_note = models.CharField(_("proposal note"), max_length=200, blank=True)
    proposed_by = person_field(verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    rejection = models.CharField(_("reason for the rejection"), max_length=200, blank=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="milestone_unique"),
        ]
        indexes = [models.Index(fields=["planned"])]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.label}"

    @property
    def label(self) -> str:
        """The milestone as people name it: the pipeline's word, or the node's own name."""
        if self.code in MilestoneCode.values:
            return str(MilestoneCode(self.code).label)
        return self.name or self.code

    @property
    def is_node(self) -> bool:
        return self.code not in MilestoneCode.values

    @property
    def proposed(self) -> bool:
        return self.proposed_at is not None


class AnnualPlan(models.Model):
    """A project's planned investment for a year, and its split by month.

    `monthly`: twelve amounts (strings of decimals, 万元) for the months alone, summing to
    `amount`; empty when the plan is spread evenly.
    """

    project = models.ForeignKey(Project, related_name="plans", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(_("annual plan (10k yuan)"), **AMOUNT)
    monthly = models.JSONField(_("monthly plan"), default=list, blank=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("investment plan")
        verbose_name_plural = _("investment plans")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="plan_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="plan_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.year}"


class InvestmentActual(models.Model):
    """A project's completed investment, cumulative from January to the month (万元)."""

    project = models.ForeignKey(Project, related_name="actuals", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    value = models.DecimalField(_("completed investment (10k yuan)"), **AMOUNT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = person_field(verbose_name=_("entered by"))
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year", "month"]
        verbose_name = _("completed investment")
        verbose_name_plural = _("completed investment")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "month"], name="actual_unique"),
            models.CheckConstraint(condition=Q(value__gte=0), name="actual_not_negative"),
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.year}-{self.month:02d}"


class WeeklyReport(models.Model):
    """What a unit reports for one project in one ISO week (周调度)."""

    project = models.ForeignKey(Project, related_name="weekly_reports", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("ISO year"))
    week = models.PositiveSmallIntegerField(
        _("ISO week"), validators=[MinValueValidator(1), MaxValueValidator(53)]
    )
    progress = models.TextField(_("progress this week"))
    next_plan = models.TextField(_("plan for next week"), blank=True)
    problems = models.TextField(_("problems needing coordination"), blank=True)
    reported_by = person_field(verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-week", "project"]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "week"], name="weekly_unique"),
        ]
        indexes = [models.Index(fields=["year", "week"])]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.year}-W{self.week:02d}"

    @property
    def week_label(self) -> str:
        return f"{self.year}-W{self.week:02d}"


class WeeklyPhoto(models.Model):
    """A photo of the site attached to a weekly report (PNG or JPEG, checked like evidence)."""

    report = models.ForeignKey(WeeklyReport, related_name="photos", on_delete=models.CASCADE)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    uploaded_by = person_field(verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("site photo")
        verbose_name_plural = _("site photos")

    def __str__(self) -> str:
        return self.name


class WeeklyProblem(models.Model):
    """The problem a weekly report raises, as a row of its own that the office follows up.

    One per report that names problems; its text follows the report while it is open. The
    supervision app turns a problem into a supervision item through
    `saima.projects.weekly.services.problem_link_supervision`, which sets the link fields below
    and the status `supervised`; until then the office tracks it here.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        COORDINATING = "coordinating", _("in coordination")
        RESOLVED = "resolved", _("resolved")
        SUPERVISED = "supervised", _("handed to supervision")

    report = models.OneToOneField(WeeklyReport, related_name="problem", on_delete=models.CASCADE)
    project = models.ForeignKey(Project, related_name="problems", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("ISO year"))
    week = models.PositiveSmallIntegerField(_("ISO week"))
    text = models.TextField(_("problem"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    response = models.TextField(_("office's response"), blank=True)
    supervision_item_id = models.PositiveBigIntegerField(
        _("supervision item"), null=True, blank=True
    )
    supervision_reference = models.CharField(_("supervision reference"), max_length=100, blank=True)
    supervision_url = models.CharField(_("supervision address"), max_length=200, blank=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-week", "project"]
        verbose_name = _("weekly problem")
        verbose_name_plural = _("weekly problems")
        indexes = [models.Index(fields=["year", "week"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="supervised") | Q(supervision_item_id__isnull=False),
                name="problem_supervised_has_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.year}-W{self.week:02d}"

    @property
    def week_label(self) -> str:
        return f"{self.year}-W{self.week:02d}"
