import math
import re

from django.conf import settings
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from guidebook.core.sanitize import clean_rich_text
from guidebook.core.text import html_to_text
from guidebook.images.models import Image

# An unhurried reader of a guide (they look at the pictures too); the usual figure for prose.
WORDS_PER_MINUTE = 200
# The body is cleaned by nh3 on save, so its <p> elements are well formed and never nested.
FIRST_PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.DOTALL)


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guides:category", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("guides:tag", args=[self.slug])


class GuideQuerySet(models.QuerySet):
    def published(self):
        """Published and due: a future pub_date is a scheduled guide, not a public one."""
        return self.filter(status=Guide.Status.PUBLISHED, pub_date__lte=timezone.now())

    def featured(self):
        return self.filter(featured=True)

    def visible_to(self, user):
        """What a reader may open: published guides, plus their own drafts; staff see all."""
        if user.is_staff:
            return self.all()
        if user.is_authenticated:
            return self.filter(
                Q(status=Guide.Status.PUBLISHED, pub_date__lte=timezone.now()) | Q(author=user)
            )
        return self.published()

    def for_cards(self):
        """Everything a list item shows (author, category, tags, cover picture) in a fixed
        number of queries, however many guides there are."""
        return self.select_related("author__profile", "category").prefetch_related(
            "tags", Prefetch("guide_images", queryset=GuideImage.objects.for_display())
        )

    def related_to(self, guide):
        """Published guides sharing tags with `guide`, most shared tags first."""
        tag_ids = [tag.pk for tag in guide.tags.all()]
        return (
            self.published()
            .filter(tags__in=tag_ids)
            .exclude(pk=guide.pk)
            .annotate(shared_tags=Count("tags"))
            .order_by("-shared_tags", "-pub_date", "-pk")
        )


class Guide(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique_for_date="pub_date",
        help_text="Part of the guide's address; unique among the guides of its publication day.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guides"
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="guides"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="guides")
    excerpt = models.TextField(
        max_length=500,
        blank=True,
        help_text="Plain text shown in lists and feeds. Leave empty to use the body's start.",
    )
    body = models.TextField(
        help_text="Cleaned when saved: scripts, frames and foreign images are removed."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    pub_date = models.DateTimeField(
        "publication date",
        default=timezone.now,
        db_index=True,
        help_text="A published guide with a future date appears on that date.",
    )
    featured = models.BooleanField(default=False, help_text="Shown first on the home page.")
    images = models.ManyToManyField(Image, through="GuideImage", related_name="guides", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["-pub_date", "-pk"]
        get_latest_by = "pub_date"
        indexes = [models.Index(fields=["status", "-pub_date"], name="guides_status_pub_date")]
        constraints = [
            # unique_for_date checks forms only; this holds for every write. The day is taken
            # in TIME_ZONE (the zone in force when the migration ran), like the permalink.
            models.UniqueConstraint(
                TruncDate("pub_date"),
                "slug",
                name="guides_guide_unique_slug_per_day",
                violation_error_message="A guide with this slug is already published that day.",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = clean_rich_text(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.pub_date)
        return reverse(
            "guides:detail",
            kwargs={"year": local.year, "month": local.month, "day": local.day, "slug": self.slug},
        )

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.pub_date <= timezone.now()

    @property
    def ordered_images(self):
        """The guide's pictures in order; uses the prefetch of for_cards()/for_detail()."""
        return [item for item in self.guide_images.all() if not item.image.is_private]

    @property
    def cover_item(self):
        """The first picture with its caption: the guide's cover."""
        images = self.ordered_images
        return images[0] if images else None

    @property
    def cover(self):
        item = self.cover_item
        return item.image if item else None

    @property
    def gallery_items(self):
        """The pictures after the cover, in order: the gallery after the text."""
        return self.ordered_images[1:]

    @property
    def reading_minutes(self) -> int:
        """Minutes to read the body at WORDS_PER_MINUTE, rounded up; at least one."""
        words = len(html_to_text(self.body).split())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    @property
    def body_repeats_excerpt(self) -> bool:
        """Whether the body's first paragraph (as plain text) starts with the excerpt: authors
        often paste their lede there. The page then shows it once, in the body."""
        excerpt = " ".join(self.excerpt.split())
        match = FIRST_PARAGRAPH.search(self.body or "")
        return bool(excerpt and match and html_to_text(match.group(1)).startswith(excerpt))


class GuideImageQuerySet(models.QuerySet):
    def for_display(self):
        return self.select_related("image").prefetch_related("image__renditions")


class GuideImage(models.Model):
    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="guide_images")
    image = models.ForeignKey(
        Image,
        on_delete=models.CASCADE,
        related_name="guide_images",
        limit_choices_to={"visibility": Image.Visibility.PUBLIC},
        help_text="Public images only: a guide is public.",
    )
    position = models.PositiveSmallIntegerField(default=0)
    caption = models.CharField(max_length=255, blank=True)

    objects = GuideImageQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "image"

    def __str__(self):
        return f"Image {self.image_id} of guide {self.guide_id}"
