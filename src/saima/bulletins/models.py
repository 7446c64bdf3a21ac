"""Bulletins (通报) and monthly comments (月点评): drafts the office edits, issued documents that
never change, their files, and their delivery to the units.

A `Bulletin` is drawn from a race's published result (a race bulletin) or from the race's month
as it stands (a monthly comment). Its `facts` are every figure its text, tables and charts may
use, fixed when the draft is made; its `paragraphs` are the text, which the office edits. Issuing
draws the DOCX, PDF and XLSX once, stores them (`BulletinFile`) and freezes the bulletin: it is
never edited or deleted again. A new version of the same race, kind and period is a new bulletin
with the next version number and a reason, as with publications.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from saima.org.models import Unit, person_field
from saima.races.models import Publication, RaceDefinition


class FrozenError(Exception):
    """An issued bulletin or one of its files was about to change."""


class Bulletin(models.Model):
    """A bulletin or monthly comment: the document's fields, its facts and its text."""

    class Kind(models.TextChoices):
        RACE = "race", _("race bulletin")
        MONTHLY = "monthly", _("monthly comment")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("Chinese")
        ENGLISH = "en", _("English")

    race = models.ForeignKey(
        RaceDefinition, verbose_name=_("race"), related_name="bulletins", on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period = models.CharField(_("period"), max_length=10)
    publication = models.ForeignKey(
        Publication,
        verbose_name=_("published result"),
        null=True,
        blank=True,
        related_name="bulletins",
        on_delete=models.PROTECT,
    )
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("reason for a new version"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.CHINESE
    )
    office = models.CharField(_("issuing office"), max_length=100, blank=True)
    prefix = models.CharField(
        _("office's code in the number"),
        max_length=30,
        blank=True,
        help_text=_("The part of the document number before the year, such as 青重办发."),
    )
    year = models.PositiveSmallIntegerField(_("year of the number"))
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    recipients = models.TextField(_("recipients"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    facts = models.JSONField(_("facts"))
    paragraphs = models.JSONField(_("paragraphs"))
    created_by = person_field(verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    updated_by = person_field(verbose_name=_("edited by"))
    updated_at = models.DateTimeField(_("edited at"), auto_now=True)
    issued_by = person_field(verbose_name=_("issued by"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["facts"])

    class Meta:
        ordering = ["-year", "-created_at", "-pk"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["race", "kind", "period", "version"], name="bulletin_unique_version"
            ),
            models.UniqueConstraint(
                fields=["prefix", "year", "number"], name="bulletin_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def reference(self) -> str:
        """The document number, `青重办发〔2026〕12号` (empty while the draft has none)."""
        if self.number is None:
            return ""
        return f"{self.prefix}〔{self.year}〕{self.number}号"

    def save(self, *args, **kwargs):
        if self.pk is not None and Bulletin.objects.filter(pk=self.pk, status="issued").exists():
            raise FrozenError("an issued bulletin never changes; draft a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.issued:
            raise FrozenError("an issued bulletin is never deleted")
        return super().delete(*args, **kwargs)


class BulletinFile(models.Model):
    """One drawn file of an issued bulletin, kept as issued."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), related_name="files", on_delete=models.PROTECT
    )
    format = models.CharField(_("format"), max_length=4)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))

    class Meta:
        verbose_name = _("bulletin file")
        verbose_name_plural = _("bulletin files")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "format"], name="bulletin_file_once")
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenError("an issued bulletin's file never changes")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError("an issued bulletin's file is never deleted")


class Delivery(models.Model):
    """An issued bulletin sent to one unit: to its people's to-do lists and their email."""

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), related_name="deliveries", on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), related_name="bulletins_received", on_delete=models.PROTECT
    )
    emailed_to = models.JSONField(_("emailed to"), default=list)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = person_field(verbose_name=_("read by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["bulletin", "unit__order", "unit__code"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "unit"], name="delivery_once_per_unit")
        ]
