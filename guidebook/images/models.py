import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

# Pillow's format name -> (content type, file extension). The only formats we accept.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
EXTENSIONS = {content_type: extension for content_type, extension in FORMATS.values()}


def original_key(sha256: str, content_type: str) -> str:
    """Where an original lives: named by the hash of its bytes, so identical files share a key."""
    return f"originals/{sha256[:2]}/{sha256}.{EXTENSIONS[content_type]}"


def rendition_key(sha256: str, spec: str) -> str:
    """Renditions of identical originals are identical too, so they share keys as well."""
    return f"renditions/{sha256[:2]}/{sha256}/{spec}"


def incoming_key() -> str:
    """Where a file sent straight to the bucket waits to be checked: a random name the site
    chooses (never the uploader's), under a prefix of its own that the reaper and the bucket's
    lifecycle rule empty."""
    return f"incoming/{secrets.token_hex(16)}"


# upload_to functions are module-level so that migrations can reference them. The uploader's
# file name is ignored on purpose: keys are generated, never taken from the user.
def original_upload_to(instance: "Image", filename: str) -> str:
    return original_key(instance.sha256, instance.content_type)


def rendition_upload_to(instance: "Rendition", filename: str) -> str:
    return rendition_key(instance.image.sha256, instance.spec)


class ImageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(visibility=Image.Visibility.PUBLIC)

    def recent(self):
        return self.order_by("-created", "-pk")

    def owned_by(self, user):
        return self.filter(owner=user)

    def visible_to(self, user):
        """Public images, plus the user's own; staff see everything."""
        if user.is_staff:
            return self.all()
        if user.is_authenticated:
            return self.filter(Q(visibility=Image.Visibility.PUBLIC) | Q(owner=user))
        return self.public()

    def editable_by(self, user):
        if user.is_staff:
            return self.all()
        return self.filter(owner=user) if user.is_authenticated else self.none()

    def for_display(self):
        return self.select_related("owner").prefetch_related("renditions")


class Image(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public: anyone can see it"
        PRIVATE = "private", "Private: only you (and the editors)"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="images"
    )
    description = models.CharField(
        max_length=255, blank=True, help_text="Describe the picture for people who cannot see it."
    )
    file = models.FileField(upload_to=original_upload_to, max_length=255)
    original_name = models.CharField(
        max_length=100, blank=True, help_text="The uploader's file name, cleaned; display only."
    )
    content_type = models.CharField(max_length=20, help_text="Detected from the content.")
    size = models.PositiveBigIntegerField(help_text="Bytes stored.")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        db_index=True,
        help_text="Hash of the stored bytes (location metadata removed).",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    renditions_error = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why its renditions could not be made, for good; empty unless they failed.",
    )

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.description or self.original_name or f"Image {self.pk}"

    def get_absolute_url(self):
        return reverse("images:detail", args=[self.pk])

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE


class Rendition(models.Model):
    class Format(models.TextChoices):
        WEBP = "webp", "WebP"
        JPEG = "jpeg", "JPEG"
        PNG = "png", "PNG"

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=32, help_text='Width and format, e.g. "400w.webp".')
    file = models.FileField(upload_to=rendition_upload_to, max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=4, choices=Format.choices)

    class Meta:
        ordering = ["image", "width", "format"]
        constraints = [
            models.UniqueConstraint(fields=["image", "spec"], name="images_rendition_unique_spec"),
        ]

    def __str__(self):
        return f"{self.spec} of image {self.image_id}"

    @property
    def content_type(self) -> str:
        return f"image/{self.format}"


class DirectUploadQuerySet(models.QuerySet):
    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)


class DirectUpload(models.Model):
    """A key the site issued for one file to be sent from the browser straight to the bucket.

    The row is how a confirmation is checked (the key was issued, to this user, and not used
    yet), what the worker reads to store the file as an Image, and what the page asks about.
    """

    key = models.CharField(max_length=64, unique=True, default=incoming_key, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="direct_uploads"
    )
    original_name = models.CharField(
        max_length=100, blank=True, help_text="The uploader's file name, cleaned; display only."
    )
    content_type = models.CharField(
        max_length=20, help_text="The type the browser declared, which the signed policy requires."
    )
    description = models.CharField(max_length=255, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Image.Visibility.choices, default=Image.Visibility.PUBLIC
    )
    issued_at = models.DateTimeField(auto_now_add=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image = models.ForeignKey(
        Image, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.CharField(
        max_length=500, blank=True, help_text="Why the file was refused; empty unless it was."
    )

    objects = DirectUploadQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return f"{self.original_name or 'upload'} ({self.key})"

    @property
    def state(self) -> str:
        """waiting (for the file and its confirmation), checking, stored or refused."""
        if self.error:
            return "refused"
        if self.image_id:
            return "stored"
        return "checking" if self.confirmed_at else "waiting"
