from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from guidebook.accounts.tests.factories import StaffFactory, UserFactory
from guidebook.polls.admin import QuestionAdmin
from guidebook.polls.models import Choice, Question, Vote
from guidebook.polls.services import vote_cast

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def question():
    question = QuestionFactory(text="Mountains or sea?", choices=["Mountains", "Sea"])
    Choice.objects.filter(question=question).update(votes=2)  # 4 votes in total
    return question


def test_changelist_shows_the_columns_the_seed_asks_for(staff_client, question):
    response = staff_client.get(reverse("admin:polls_question_changelist"))
    assert response.status_code == 200
    text = response.text
    for title in ("Question", "Date published", "Published recently?", "Total votes"):
        assert title in text
    assert "Mountains or sea?" in text
    assert 'class="field-total_votes">4<' in text
    assert 'alt="True"' in text  # was_published_recently shown as the boolean icon


def test_changelist_sorts_by_total_votes(staff_client, question):
    quiet = QuestionFactory(text="Quiet poll?", choices=["a"])
    ordering = QuestionAdmin.list_display.index("total_votes") + 1
    response = staff_client.get(reverse("admin:polls_question_changelist"), {"o": f"-{ordering}"})
    assert [q.pk for q in response.context["cl"].result_list] == [question.pk, quiet.pk]
    response = staff_client.get(reverse("admin:polls_question_changelist"), {"o": str(ordering)})
    assert [q.pk for q in response.context["cl"].result_list] == [quiet.pk, question.pk]


def test_changelist_sorts_published_recently_by_pub_date(staff_client, question):
    old = QuestionFactory(text="Old poll?", pub_date=timezone.now() - timedelta(days=9))
    ordering = QuestionAdmin.list_display.index("was_published_recently") + 1
    response = staff_client.get(reverse("admin:polls_question_changelist"), {"o": str(ordering)})
    assert [q.pk for q in response.context["cl"].result_list] == [old.pk, question.pk]


def test_search_finds_questions_by_a_choice_and_keeps_totals_right(staff_client, question):
    ChoiceFactory(question=question, text="Sea and mountains", votes=1)
    response = staff_client.get(reverse("admin:polls_question_changelist"), {"q": "sea"})
    results = list(response.context["cl"].result_list)
    assert results == [question]
    assert results[0].total_votes == 5


def test_filters_and_date_hierarchy_render(staff_client, question):
    year = question.pub_date.year
    response = staff_client.get(
        reverse("admin:polls_question_changelist"), {"pub_date__year": year}
    )
    assert response.status_code == 200
    assert "By date published" in response.text  # list_filter
    assert '<nav class="toplinks">' in response.text  # date_hierarchy
    assert list(response.context["cl"].result_list) == [question]


def test_change_page_has_choices_inline_and_read_only_counts(staff_client, question):
    response = staff_client.get(reverse("admin:polls_question_change", args=[question.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Publication" in text and "Results" in text  # the fieldsets
    assert 'name="choices-0-text"' in text
    assert 'name="choices-0-votes"' not in text  # counts are read only
    assert "Total votes" in text


def test_add_page_renders(staff_client):
    response = staff_client.get(reverse("admin:polls_question_add"))
    assert response.status_code == 200
    assert 'name="choices-TOTAL_FORMS"' in response.text


def test_a_question_is_added_with_its_choices_and_no_votes(staff_client):
    now = timezone.now()
    response = staff_client.post(
        reverse("admin:polls_question_add"),
        {
            "text": "Where next?",
            "pub_date_0": now.strftime("%Y-%m-%d"),
            "pub_date_1": now.strftime("%H:%M:%S"),
            "closes_at_0": "",
            "closes_at_1": "",
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "0",
            "choices-MIN_NUM_FORMS": "0",
            "choices-MAX_NUM_FORMS": "1000",
            "choices-0-text": "North",
            "choices-1-text": "South",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(text="Where next?")
    assert list(question.choices.values_list("text", "votes")) == [("North", 0), ("South", 0)]


def test_vote_admin_lists_votes_but_cannot_change_them(staff_client, question):
    vote_cast(
        user=UserFactory(username="ada"),
        question_id=question.pk,
        choice_id=question.choices.first().pk,
    )
    vote = Vote.objects.get()
    changelist = staff_client.get(reverse("admin:polls_vote_changelist"))
    assert changelist.status_code == 200
    assert "ada" in changelist.text
    assert staff_client.get(reverse("admin:polls_vote_add")).status_code == 403
    change = staff_client.get(reverse("admin:polls_vote_change", args=[vote.pk]))
    assert change.status_code == 200  # the read-only view
    assert 'type="submit"' not in change.text.split('id="vote_form"', 1)[-1].split("</form>")[0]
    assert (
        staff_client.post(
            reverse("admin:polls_vote_delete", args=[vote.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Vote.objects.filter(pk=vote.pk).exists()
