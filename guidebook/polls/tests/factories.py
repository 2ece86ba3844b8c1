import factory
from django.utils import timezone

from guidebook.polls.models import Choice, Question


class QuestionFactory(factory.django.DjangoModelFactory):
    """A published question; `QuestionFactory(choices=["Yes", "No"])` adds its choices."""

    class Meta:
        model = Question
        skip_postgeneration_save = True

    text = factory.Sequence(lambda n: f"Question {n}?")
    pub_date = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def choices(question, create, extracted, **kwargs):
        if create and extracted:
            for text in extracted:
                ChoiceFactory(question=question, text=text)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
