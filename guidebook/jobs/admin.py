from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["name", "task_name", "user", "created", "task_count"]
    list_filter = ["task_name", "created"]
    search_fields = ["name", "task_name", "user__username"]
    date_hierarchy = "created"
    readonly_fields = ["id", "user", "name", "task_name", "tasks", "created", "retry_of"]

    @admin.display(description="Tasks")
    def task_count(self, job):
        return len(job.tasks)
