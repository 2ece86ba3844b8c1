"""The JSON the upload page's script asks of the site when it sends files straight to the
bucket (S3): keys, confirmations and statuses, for one file or for several at once.

Each file of a selection costs the web process requests, not bytes: about what any signed-in
request costs, whatever the file's size. Hence the batches (bench/uploads.py, docs/benchmarks.md):
the page asks for the keys of the files it is about to send in one request, confirms together
the files that arrive while a confirmation is on its way, and polls the statuses of all its
pending files in one request. One file alone (a retry, say) is asked about in the same URLs;
the single-file answers are the ones the page's first version read, with a few more fields.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services, storage
from .forms import ImageDetailsForm
from .models import DirectUpload
from .views import renditions_json

# How the page's script is told why a confirmation is refused (services.direct_uploads_confirm).
CONFIRM_REFUSALS = {"unknown": 404, "not_yours": 403, "used": 409}
# Files one request may ask about: a selection larger than this is asked about in parts.
MAX_FILES = 50


def refused(error: ValidationError, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": " ".join(error.messages)}, status=status)


def form_refusal(form) -> JsonResponse:
    return refused(ValidationError([e for errors in form.errors.values() for e in errors]))


def issued_json(upload: DirectUpload, post: dict) -> dict:
    return {
        "id": upload.pk,
        "key": upload.key,
        "post": post,
        "status_url": reverse("images:upload_status", args=[upload.pk]),
    }


def batch_urls() -> dict:
    """Where the page confirms files and polls statuses, several at once; and how long a
    presigned POST lasts, so that it asks again for the key of a file whose turn comes later."""
    return {
        "confirm_url": reverse("images:upload_confirm"),
        "statuses_url": reverse("images:upload_statuses"),
        "expires_in": settings.IMAGE_DIRECT_UPLOAD_EXPIRE,
    }


def declared_files(data) -> list[services.DeclaredFile]:
    """The name, type and size triples a request declares, in order; raises ValidationError
    when they do not make triples or are too many."""
    names, types, sizes = (data.getlist(field) for field in ("name", "content_type", "size"))
    if not (len(names) == len(types) == len(sizes)) or not names:
        raise ValidationError("Each file needs a name, a type and a size.")
    if len(names) > MAX_FILES:
        raise ValidationError(f"Ask for at most {MAX_FILES} files at once.")
    try:
        files = [
            services.DeclaredFile(name[:255], content_type[:100], int(size))
            for name, content_type, size in zip(names, types, sizes, strict=True)
        ]
    except ValueError:
        files = []
    if not files or any(file.size < 0 for file in files):
        raise ValidationError("A file's size is not a number of bytes.")
    return files


@require_POST
@login_required
def direct_upload_issue(request):
    """POST a file's name, type and size (and the form's description and visibility): its key
    and the presigned POST that sends it straight to the bucket. POST several names, types and
    sizes, in the same order: {"uploads": [that, or {"error"}, for each file in turn], ...}."""
    if not storage.direct_uploads_enabled():
        return JsonResponse({"error": "Files are sent through the site here."}, status=404)
    details = ImageDetailsForm(request.POST)
    if not details.is_valid():
        return form_refusal(details)
    try:
        files = declared_files(request.POST)
    except ValidationError as error:
        return refused(error)
    outcomes = services.direct_uploads_issue(
        owner=request.user, files=files, **details.cleaned_data
    )
    if len(outcomes) == 1:  # one file: its answer alone
        (outcome,) = outcomes
        if isinstance(outcome, ValidationError):
            return refused(outcome)
        return JsonResponse({**issued_json(*outcome), **batch_urls()}, status=201)
    uploads = [
        {"error": " ".join(o.messages)} if isinstance(o, ValidationError) else issued_json(*o)
        for o in outcomes
    ]
    return JsonResponse(
        {"uploads": uploads, **batch_urls()},
        status=201 if any("key" in upload for upload in uploads) else 400,
    )


@require_POST
@login_required
def direct_upload_confirm(request):
    """POST the key of a file the browser has sent: the worker checks and stores it (202), or
    the refusal (404 unknown, 403 someone else's, 409 confirmed already). POST several keys:
    {"uploads": [{"key", "state"} or {"key", "error", "status"} for each]}."""
    keys = request.POST.getlist("key")[:MAX_FILES] or [""]  # no key: an unknown one
    outcomes = services.direct_uploads_confirm(owner=request.user, keys=keys)
    if len(keys) == 1:
        outcome = outcomes[keys[0]]
        if isinstance(outcome, ValidationError):
            return refused(outcome, CONFIRM_REFUSALS[outcome.code])
        return JsonResponse({"state": outcome.state}, status=202)
    return JsonResponse(
        {
            "uploads": [
                {"key": key, "state": outcome.state}
                if isinstance(outcome, DirectUpload)
                else {
                    "key": key,
                    "error": " ".join(outcome.messages),
                    "status": CONFIRM_REFUSALS[outcome.code],
                }
                for key, outcome in outcomes.items()
            ]
        }
    )


def status_json(upload: DirectUpload) -> dict:
    """{"state": waiting|checking|stored|refused, "error", and renditions_json once stored}.
    Only a stored image's thumbnail is signed (the one call to boto3 of a status)."""
    renditions = (
        renditions_json(upload.image) if upload.image else {"ready": False, "failed": False}
    )
    return {"state": upload.state, "error": upload.error or None, **renditions}


def owned_uploads(request):
    # The image and its renditions only for uploads stored already: a prefetch of nothing is
    # no query.
    return (
        DirectUpload.objects.filter(owner=request.user)
        .select_related("image")
        .prefetch_related("image__renditions")
    )


@never_cache
@require_GET
@login_required
def direct_upload_status(request, pk):
    """One upload's status_json; someone else's upload is a 404."""
    return JsonResponse(status_json(get_object_or_404(owned_uploads(request), pk=pk)))


@never_cache
@require_GET
@login_required
def direct_upload_statuses(request):
    """GET ?ids=1,2,3: {"uploads": {"1": status_json, ...}} for those of the ids that are the
    user's uploads (someone else's are left out, as unknown ones are), in one query (two once
    some are stored)."""
    try:
        ids = [int(part) for part in request.GET.get("ids", "").split(",") if part][:MAX_FILES]
    except ValueError:
        return refused(ValidationError("ids: upload numbers, separated by commas."))
    uploads = owned_uploads(request).filter(pk__in=ids) if ids else []
    return JsonResponse({"uploads": {str(upload.pk): status_json(upload) for upload in uploads}})
