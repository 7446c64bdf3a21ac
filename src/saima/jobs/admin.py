from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from saima.jobs.models import Job
from saima.org.admin import ReadOnlyAdmin


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "progress", "attempts", "started_by", "created_at")
    list_filter = ("status", "kind")


# The task backend's own admin lets anyone with the right change or delete tasks; here the
# office reads them (a job is started, retried and recovered only through `saima.jobs.services`).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin):
    list_display = ("id", "task_path", "status", "enqueued_at", "finished_at", "worker_ids")
    list_filter = ("status", "queue_name")
