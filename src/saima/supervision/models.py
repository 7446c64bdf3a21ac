"""Supervision items (督办事项), their timeline and escalation, and rectification lists (整改清单).

An item's life is kept as a timeline of `Event`s that are never changed nor deleted: the item's
own fields (status, acknowledged, closed...) are what the timeline says so far, for lists and the
engine's frames. Every write goes through `saima.supervision.services`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.org.models import Unit, person_field


def person_name(user) -> str:
    """A person as pages name them: a Chinese name family name first (王建国), else the full
    name, else the login."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if any("\u4e00" <= c <= "\u9fff" for c in first + last):
        return f"{last}{first}"
    return f"{first} {last}".strip() or user.get_username()


class ClosedError(Exception):
    """A closed item's history is never changed."""


class Source(models.TextChoices):
    MEETING = "meeting", _("meeting decision")
    INSTRUCTION = "instruction", _("leader's instruction")
    HIGHER = "higher", _("higher-level assignment")
    RACE = "race", _("race laggard")
    OBJECTION = "objection", _("upheld objection")
    PROJECT = "project", _("project problem")
    LIGHT = "light", _("persistent red light")
    INSPECTION = "inspection", _("inspection finding")
    COMPLAINT = "complaint", _("public complaint")


class Level(models.TextChoices):
    ORDINARY = "ordinary", _("ordinary")
    KEY = "key", _("key")
    LISTED = "listed", _("listed (挂牌督办)")


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    DEKAD = "dekad", _("every ten days")
    MONTHLY = "monthly", _("monthly")


class Status(models.TextChoices):
    ASSIGNED = "assigned", _("assigned")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    IN_PROGRESS = "in_progress", _("in progress")
    CLOSURE_REQUESTED = "closure_requested", _("closure requested")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = (
    Status.ASSIGNED,
    Status.ACKNOWLEDGED,
    Status.IN_PROGRESS,
    Status.CLOSURE_REQUESTED,
)


ACTION_LABELS = {
    "reminder": _("reminder (催办)"),
    "bulletin": _("listed in the bulletin (通报)"),
    "interview": _("interview (约谈)"),
}
TRIGGER_LABELS = {
    "acknowledgement": _("acknowledgement"),
    "feedback": _("progress report"),
    "deadline": _("deadline"),
}


class SupervisionSettings(models.Model):
    """The office's settings: days to acknowledge, what counts as closing in time, and the
    escalation ladder (催办 → 通报 → 约谈) as data."""

    class Closure(models.TextChoices):
        CLOSED = "closed", _("the office's closing date")
        REQUEST = "request", _("the accepted closure request")

    class Continuing(models.TextChoices):
        EXCLUDED = "excluded", _("left out of the rate")
        DONE = "done", _("counted as done")
        NOT_DONE = "not_done", _("counted as not done")

    ack_working_days = models.PositiveSmallIntegerField(_("working days to acknowledge"), default=2)
    closure = models.CharField(
        _("closure counts from"), max_length=10, choices=Closure.choices, default=Closure.CLOSED
    )
    continuing = models.CharField(
        _("continuing rectification"),
        max_length=10,
        choices=Continuing.choices,
        default=Continuing.EXCLUDED,
    )
    decimals = models.PositiveSmallIntegerField(_("decimals of the rates"), default=1)
    #: [{"code", "trigger", "delay", "action", "working_days"}], in order; empty: the default.
    ladder = models.JSONField(_("escalation ladder"), default=list, blank=True)
    updated_by = person_field(verbose_name=_("updated by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("supervision settings")
        verbose_name_plural = _("supervision settings")

    def __str__(self) -> str:
        return str(_("supervision settings"))


class Item(models.Model):
    """A supervision item: the task, who leads and helps, by when, how often they report."""

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=200)
    task = models.TextField(_("task"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    #: Where the item came from ("statement:12", "objection:3", "problem:5", "light:east:fai"),
    #: with its page, so the item links back.
    origin = models.CharField(_("origin"), max_length=100, blank=True, db_index=True)
    origin_url = models.CharField(_("origin's address"), max_length=200, blank=True)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), related_name="led_items", on_delete=models.PROTECT
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("co-units"), related_name="helped_items", blank=True
    )
    leader = person_field("supervised_items", verbose_name=_("leader in charge"))
    level = models.CharField(
        _("level"), max_length=10, choices=Level.choices, default=Level.ORDINARY
    )
    rhythm = models.CharField(
        _("feedback rhythm"), max_length=10, choices=Rhythm.choices, default=Rhythm.MONTHLY
    )
    assigned_on = models.DateField(_("assigned on"))
    deadline = models.DateField(_("original deadline"))
    ack_days = models.PositiveSmallIntegerField(_("working days to acknowledge"), null=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ASSIGNED
    )
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_granted = models.DateField(_("extension granted on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = person_field(verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-assigned_on", "-pk"]
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        indexes = [models.Index(fields=["status"]), models.Index(fields=["deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("assigned_on")),
                name="supervision_item_deadline_after_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED

    @property
    def leader_name(self) -> str:
        return person_name(self.leader)

    @property
    def current_deadline(self):
        """The deadline the unit works to now: the latest approved extension's, else the
        original one."""
        return self.extended_to or self.deadline


class Event(models.Model):
    """One step of an item's life, dated; never changed nor deleted."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("assigned")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        FEEDBACK = "feedback", _("progress reported")
        CO_FEEDBACK = "co_feedback", _("co-unit's part reported")
        CLOSURE_REQUESTED = "closure_requested", _("closure requested")
        RETURNED = "returned", _("returned")
        CLOSED = "closed", _("closed")
        EXTENSION_REQUESTED = "extension_requested", _("extension requested")
        EXTENSION_APPROVED = "extension_approved", _("extension approved")
        EXTENSION_REFUSED = "extension_refused", _("extension refused")
        ESCALATED = "escalated", _("escalated")

    item = models.ForeignKey(Item, related_name="events", on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("date"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    text = models.TextField(_("text"), blank=True)
    by = person_field(verbose_name=_("by"))
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["day", "at", "pk"]
        verbose_name = _("item event")
        verbose_name_plural = _("item events")

    @property
    def escalation_label(self) -> str:
        """For an escalation: the action taken, as people read it (the text is `step:action`)."""
        _step, _sep, action = self.text.partition(":")
        return str(ACTION_LABELS.get(action, action))

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ClosedError("an item's timeline is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ClosedError("an item's timeline is never deleted")


class EventFile(models.Model):
    """An evidence file of a feedback entry or closure request (checked by
    `saima.common.evidence`)."""

    event = models.ForeignKey(Event, related_name="files", on_delete=models.PROTECT)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.name


class Extension(models.Model):
    """A request to move an item's deadline, with its reason, and the office's answer."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    item = models.ForeignKey(Item, related_name="extensions", on_delete=models.PROTECT)
    new_deadline = models.DateField(_("new deadline"))
    reason = models.TextField(_("reason"))
    requested_on = models.DateField(_("requested on"))
    requested_by = person_field(verbose_name=_("requested by"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = person_field(verbose_name=_("decided by"))
    note = models.TextField(_("office's note"), blank=True)

    class Meta:
        ordering = ["item", "requested_on", "pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(decision="pending"),
                name="supervision_one_pending_extension",
            )
        ]


class Escalation(models.Model):
    """A step of the ladder taken for an item: once per item and step, with its date and, for a
    reminder, to whom it was emailed."""

    item = models.ForeignKey(Item, related_name="escalations", on_delete=models.PROTECT)
    step = models.CharField(_("step"), max_length=40)
    action = models.CharField(_("action"), max_length=20)
    trigger = models.CharField(_("trigger"), max_length=20)
    due = models.DateField(_("due"))
    since = models.DateField(_("due since"))
    taken_on = models.DateField(_("taken on"))
    recipients = models.JSONField(_("recipients"), default=list, blank=True)

    class Meta:
        ordering = ["item", "taken_on", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(fields=["item", "step"], name="supervision_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.item.reference} {self.step}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def trigger_label(self) -> str:
        return str(TRIGGER_LABELS.get(self.trigger, self.trigger))


class RectificationList(models.Model):
    """The problems one inspection, audit or race found, each to be rectified (整改清单)."""

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("inspection")
        AUDIT = "audit", _("audit")
        RACE = "race", _("race")
        OTHER = "other", _("other")

    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reference = models.CharField(_("document or reference"), max_length=100, blank=True)
    created_on = models.DateField(_("created on"))
    created_by = person_field(verbose_name=_("created by"))

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("rectification list")
        verbose_name_plural = _("rectification lists")

    def __str__(self) -> str:
        return self.title


class Rectification(models.Model):
    """One problem of a list: the measure, the responsible unit, the deadline, the status the
    unit reports and the office's verification."""

    class Status(models.TextChoices):
        RECTIFYING = "rectifying", _("rectifying")
        RECTIFIED = "rectified", _("rectified")
        CONTINUING = "continuing", _("continuing")
        BASICALLY_DONE = "basically_done", _("basically done")

    rectification_list = models.ForeignKey(
        RectificationList, related_name="entries", on_delete=models.PROTECT
    )
    problem = models.TextField(_("problem"))
    measure = models.TextField(_("measure"))
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        related_name="rectifications",
        on_delete=models.PROTECT,
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECTIFYING
    )
    progress = models.TextField(_("unit's account"), blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = person_field(verbose_name=_("verified by"))
    verification = models.TextField(_("office's verification"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rectification_list", "pk"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")

    def __str__(self) -> str:
        return self.problem[:60]


class RectificationFile(models.Model):
    """Evidence of a rectification."""

    rectification = models.ForeignKey(Rectification, related_name="files", on_delete=models.PROTECT)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    uploaded_by = person_field(verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["rectification", "pk"]
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")

    def __str__(self) -> str:
        return self.name
