from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import DeleteView, DetailView, ListView, UpdateView

from . import services, storage
from .forms import ImageEditForm, ImageUploadForm
from .models import Image, Rendition
from .templatetags.image_tags import renditions_ready, thumbnail_url
from .uploadhandlers import SizeLimitedUploadHandler
from .validation import clean_original_name


class ImageIndexView(ListView):
    template_name = "images/index.html"
    paginate_by = 24
    queryset = Image.objects.public().recent().for_display()


class MyImagesView(LoginRequiredMixin, ListView):
    template_name = "images/mine.html"
    paginate_by = 24

    def get_queryset(self):
        return Image.objects.owned_by(self.request.user).recent().for_display()


class ImageDetailView(DetailView):
    template_name = "images/detail.html"

    def get_queryset(self):
        # Someone else's private image is a 404, not a 403: its existence is private too.
        return Image.objects.visible_to(self.request.user).for_display()


def renditions_json(image: Image) -> dict:
    """What the page scripts waiting for an image's renditions need: whether they are ready
    (or failed for good), and once they are, the thumbnail the upload page shows."""
    ready = renditions_ready(image)
    return {
        "ready": ready,
        "failed": bool(image.renditions_error),
        "thumbnail": thumbnail_url(image) if ready else None,
        "url": image.get_absolute_url(),
        "alt": image.description,
    }


@never_cache
@require_GET
def renditions_status(request, pk):
    """{"ready": bool, "failed": bool, ...} (renditions_json). Same visibility as the detail
    page: someone else's private image is a 404."""
    image = get_object_or_404(Image.objects.visible_to(request.user).for_display(), pk=pk)
    return JsonResponse(renditions_json(image))


class OwnImageMixin(LoginRequiredMixin):
    def get_queryset(self):
        return Image.objects.editable_by(self.request.user)


class ImageEditView(OwnImageMixin, UpdateView):
    form_class = ImageEditForm
    template_name = "images/edit.html"

    def form_valid(self, form):
        services.image_update(image=self.object, **form.cleaned_data)
        messages.success(self.request, "Your changes have been saved.")
        return redirect(self.object)


class ImageDeleteView(OwnImageMixin, DeleteView):
    template_name = "images/confirm_delete.html"
    success_url = reverse_lazy("images:mine")

    def form_valid(self, form):
        services.image_delete(image=self.object)
        messages.success(self.request, "The image has been deleted.")
        return redirect(self.success_url)


def store_uploads(request, form) -> list[Image]:
    """Store each file on its own: good files are kept even when another one is refused."""
    created = []
    for upload in form.cleaned_data["image"]:
        try:
            created.append(
                services.image_create(
                    owner=request.user,
                    file=upload,
                    description=form.cleaned_data["description"],
                    visibility=form.cleaned_data["visibility"],
                )
            )
        except ValidationError as error:
            name = clean_original_name(upload.name)  # the template escapes it
            form.add_error("image", f"{name}: {' '.join(error.messages)}")
    return created


def wants_json(request) -> bool:
    """The upload page's script, which sends each file on its own and shows the outcome itself."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def uploaded_json(form, created: list[Image]) -> JsonResponse:
    return JsonResponse(
        {
            "images": [
                {
                    "url": image.get_absolute_url(),
                    "renditions_url": reverse("images:renditions_status", args=[image.pk]),
                }
                for image in created
            ],
            "errors": [error for errors in form.errors.values() for error in errors],
        },
        status=201 if created else 400,
    )


def upload_page(request, form):
    direct = storage.direct_uploads_enabled()
    response = render(request, "images/upload.html", {"form": form, "direct_uploads": direct})
    if direct:
        # The script sends files to the bucket and shows their thumbnails from it.
        origin = storage.bucket_origin()
        response._csp_update = {"connect-src": [origin], "img-src": [origin]}
    return response


@csrf_protect
@login_required
def upload_form(request):
    form = ImageUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        created = store_uploads(request, form) if form.is_valid() else []
        if wants_json(request):
            return uploaded_json(form, created)
        if created and not form.errors:
            messages.success(
                request,
                f"{len(created)} image(s) uploaded. Their smaller versions appear in a moment.",
            )
            return redirect(created[0] if len(created) == 1 else reverse("images:mine"))
        if created:
            messages.success(
                request, f"{len(created)} image(s) uploaded; the others were refused (see below)."
            )
    return upload_page(request, form)


@csrf_exempt
def upload(request):
    # Upload handlers must be set before anything reads request.POST, and the CSRF middleware
    # does read it; hence csrf_exempt here and csrf_protect on the view we call (Django's
    # documented pattern for changing upload handlers per view).
    request.upload_handlers = [SizeLimitedUploadHandler(request)]
    return upload_form(request)


def file_response(name: str, *, private: bool) -> FileResponse:
    try:
        response = FileResponse(
            default_storage.open(name, "rb"), content_type=storage.content_type_for(name)
        )
    except FileNotFoundError as missing:
        raise Http404("No such file.") from missing
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    # Files are named by their content, so a public one never changes under its URL.
    response["Cache-Control"] = (
        "private, max-age=300" if private else "public, max-age=31536000, immutable"
    )
    return response


@require_safe
def signed_file(request, token):
    """A private file on the local disk, for whoever holds an unexpired signed URL."""
    try:
        name = storage.unsign_name(token)
    except signing.SignatureExpired:
        return HttpResponseForbidden("This link has expired; reload the page for a new one.")
    except signing.BadSignature:
        return HttpResponseForbidden("This link is not valid.")
    return file_response(name, private=True)


@require_safe
def public_file(request, name):
    """A file of a public image on the local disk; anything else is a 404."""
    is_public = (
        Image.objects.public().filter(file=name).exists()
        or Rendition.objects.filter(file=name, image__visibility="public").exists()
    )
    if not is_public:
        raise Http404("No such file.")
    return file_response(name, private=False)
