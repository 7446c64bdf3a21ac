"""A background job as the pages see it: what was asked, by whom, how far it is, how it ended.

The work itself is a task of Django's tasks API (`saima.jobs.tasks.run_job`), stored by the
database backend; this row is what survives it: its progress, its outcome, how many attempts it
took, and the key that makes a second request for the same work find the first job.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from saima.org.models import person_field


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=64)
    #: The same work asked twice gives one job: `races.publish:<race>:<period>:v<version>`.
    key = models.CharField(_("key"), max_length=200, unique=True, null=True, blank=True)
    arguments = models.JSONField(_("arguments"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    message = models.TextField(_("outcome"), blank=True)
    url = models.CharField(_("result address"), max_length=500, blank=True)
    data = models.JSONField(_("result data"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    language = models.CharField(_("language"), max_length=10, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    started_by = person_field(verbose_name=_("started by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        from saima.common import jobs

        kind = jobs.get(self.kind)
        return str(kind.label) if kind else self.kind

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
