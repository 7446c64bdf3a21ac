from django.contrib import admin

from saima.jobs.models import Job
from saima.org.admin import ReadOnlyAdmin


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "progress", "attempts", "started_by", "created_at")
    list_filter = ("status", "kind")
