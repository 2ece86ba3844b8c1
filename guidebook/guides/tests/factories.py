from datetime import timedelta

import factory
from django.utils import timezone

from guidebook.accounts.tests.factories import StaffFactory, UserFactory  # noqa: F401 (re-exported)
from guidebook.guides.models import Category, Guide, GuideImage, Tag


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"tag{n}")
    slug = factory.Sequence(lambda n: f"tag-{n}")


class GuideFactory(factory.django.DjangoModelFactory):
    """A published guide from yesterday; `DraftFactory` and `pub_date=` for the other cases."""

    class Meta:
        model = Guide
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Guide number {n}")
    slug = factory.Sequence(lambda n: f"guide-number-{n}")
    author = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    excerpt = "A short summary."
    body = "<p>Some <strong>useful</strong> advice.</p>"
    status = Guide.Status.PUBLISHED
    pub_date = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(extracted)


class DraftFactory(GuideFactory):
    status = Guide.Status.DRAFT


def future() -> timezone.datetime:
    return timezone.now() + timedelta(days=3)


def attach(guide, image, position=0, caption=""):
    return GuideImage.objects.create(guide=guide, image=image, position=position, caption=caption)
