from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from .models import Job
from .services import job_retry, job_statuses


class JobListView(LoginRequiredMixin, ListView):
    template_name = "jobs/job_list.html"
    paginate_by = 20

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user).select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statuses = job_statuses(context["object_list"])
        context["rows"] = [(job, statuses[job.pk]) for job in context["object_list"]]
        return context


@never_cache
@login_required
def job_status(request, pk):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    return JsonResponse(
        {"id": str(job.pk), "name": job.name, **job_statuses([job])[job.pk].as_json()}
    )


@require_POST
@login_required
def job_retry_view(request, pk):
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    job_retry(job=job, user=request.user)
    return redirect("jobs:list")
