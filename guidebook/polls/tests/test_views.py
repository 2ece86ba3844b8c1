from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guidebook.accounts.tests.factories import UserFactory
from guidebook.polls.models import Choice, Vote
from guidebook.polls.services import vote_cast

from .factories import ChoiceFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def create_question(text, days, choices=("Yes", "No")):
    """A question published `days` from now (negative: in the past)."""
    return QuestionFactory(
        text=text, pub_date=timezone.now() + timedelta(days=days), choices=list(choices)
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def vote_url(question):
    return reverse("polls:vote", args=[question.pk])


@pytest.fixture
def voter(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def question():
    return create_question("Tea or coffee?", days=-1, choices=["Tea", "Coffee"])


# ------------------------------------------------------------------------------ index
def test_index_without_questions_says_so(client):
    response = client.get(reverse("polls:index"))
    assert response.status_code == 200
    assert "No polls are available." in response.text
    assert list(response.context["questions"]) == []


def test_index_lists_a_past_question(client):
    question = create_question("Past question.", days=-30)
    response = client.get(reverse("polls:index"))
    assert list(response.context["questions"]) == [question]


def test_index_hides_a_future_question(client):
    create_question("Future question.", days=30)
    response = client.get(reverse("polls:index"))
    assert "No polls are available." in response.text
    assert list(response.context["questions"]) == []


def test_index_with_a_future_and_a_past_question_lists_only_the_past_one(client):
    past = create_question("Past question.", days=-30)
    create_question("Future question.", days=30)
    response = client.get(reverse("polls:index"))
    assert list(response.context["questions"]) == [past]


def test_index_lists_two_past_questions_newest_first(client):
    older = create_question("Past question 1.", days=-30)
    newer = create_question("Past question 2.", days=-5)
    response = client.get(reverse("polls:index"))
    assert list(response.context["questions"]) == [newer, older]


def test_index_hides_a_question_without_choices(client):
    create_question("Nothing to choose.", days=-1, choices=())
    response = client.get(reverse("polls:index"))
    assert list(response.context["questions"]) == []


def test_index_is_paginated_ten_to_a_page(client):
    questions = [create_question(f"Q{n}", days=-n) for n in range(1, 13)]
    first = client.get(reverse("polls:index"))
    second = client.get(reverse("polls:index"), {"page": 2})
    assert list(first.context["questions"]) == questions[:10]
    assert list(second.context["questions"]) == questions[10:]
    assert "Page 1 of 2" in first.text
    assert client.get(reverse("polls:index"), {"page": 3}).status_code == 404


# ------------------------------------------------------------------------------ detail, results
@pytest.mark.parametrize("name", ["polls:detail", "polls:results"])
def test_a_future_question_is_404(client, name):
    future = create_question("Future question.", days=5)
    assert client.get(reverse(name, args=[future.pk])).status_code == 404


@pytest.mark.parametrize("name", ["polls:detail", "polls:results"])
def test_a_question_without_choices_is_404(client, name):
    bare = create_question("No choices.", days=-1, choices=())
    assert client.get(reverse(name, args=[bare.pk])).status_code == 404


@pytest.mark.parametrize("name", ["polls:detail", "polls:results", "polls:vote"])
def test_a_missing_question_is_404(client, voter, name):
    url = reverse(name, args=[987654])
    response = client.post(url) if name == "polls:vote" else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/polls/abc/", "/polls/abc/results/", "/polls/abc/vote/", "/polls//vote/", "/polls/-1/"],
)
def test_a_non_numeric_question_id_is_404(client, voter, path):
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_detail_of_a_past_question_shows_its_choices_as_a_form(client, voter, question):
    response = client.get(question.get_absolute_url())
    assert response.status_code == 200
    assert question.text in response.text
    assert f'action="{vote_url(question)}"' in response.text
    for choice in question.choices.all():
        assert f'value="{choice.pk}"' in response.text
        assert choice.text in response.text


def test_detail_asks_an_anonymous_reader_to_log_in(client, question):
    response = client.get(question.get_absolute_url())
    assert "Log in to vote" in response.text
    assert "Tea" in response.text
    assert f'action="{vote_url(question)}"' not in response.text


def test_detail_of_a_closed_poll_says_so_and_offers_no_form(client, voter):
    closed = QuestionFactory(
        choices=["a"],
        pub_date=timezone.now() - timedelta(days=3),
        closes_at=timezone.now() - timedelta(days=1),
    )
    response = client.get(closed.get_absolute_url())
    assert "This poll is closed" in response.text
    assert f'action="{vote_url(closed)}"' not in response.text


def test_results_show_counts_and_percentages_as_text(client, question):
    tea, coffee = question.choices.all()
    Choice.objects.filter(pk=tea.pk).update(votes=1)
    Choice.objects.filter(pk=coffee.pk).update(votes=3)
    response = client.get(reverse("polls:results", args=[question.pk]))
    assert response.status_code == 200
    text = response.text
    assert "4 votes in total" in text
    assert "1 vote · 25.0%" in text
    assert "3 votes · 75.0%" in text
    assert 'style="width: 75.0%"' in text
    assert "your vote" not in text


def test_results_mark_the_readers_own_choice_in_text(client, voter, question):
    coffee = question.choices.get(text="Coffee")
    vote_cast(user=voter, question_id=question.pk, choice_id=coffee.pk)
    response = client.get(reverse("polls:results", args=[question.pk]))
    assert response.text.count("✓ your vote") == 1
    # The mark sits with Coffee's row, not Tea's.
    coffee_row = response.text.split("Coffee", 1)[1].split("</li>", 1)[0]
    assert "✓ your vote" in coffee_row


# ------------------------------------------------------------------------------ voting
def test_a_vote_is_counted_and_redirects_to_the_results(client, voter, question):
    tea = question.choices.get(text="Tea")
    response = client.post(vote_url(question), {"choice": tea.pk})
    assert response.status_code == 302
    assert response.url == reverse("polls:results", args=[question.pk])
    tea.refresh_from_db()
    assert tea.votes == 1
    assert Vote.objects.get().user == voter
    assert messages_of(response) == ["Thank you: your vote has been counted."]
    results = client.get(response.url)
    assert "✓ your vote" in results.text


def test_detail_reminds_a_reader_who_already_voted(client, voter, question):
    vote_cast(user=voter, question_id=question.pk, choice_id=question.choices.first().pk)
    response = client.get(question.get_absolute_url())
    assert "You voted for “Tea”." in response.text


def already_voted(voter, question):
    vote_cast(user=voter, question_id=question.pk, choice_id=question.choices.first().pk)
    return question.choices.last().pk


def closed(voter, question):
    question.closes_at = timezone.now() - timedelta(minutes=1)
    question.save()
    return question.choices.first().pk


def foreign_choice(voter, question):
    return ChoiceFactory().pk


@pytest.mark.parametrize(
    ("refusal", "status", "message"),
    [
        pytest.param(already_voted, 302, "You already voted in this poll.", id="already-voted"),
        pytest.param(closed, 302, "it no longer accepts votes", id="closed"),
        pytest.param(foreign_choice, 400, "Please select a choice.", id="foreign-choice"),
    ],
)
def test_a_refused_vote_says_why_and_counts_nothing(
    client, voter, question, refusal, status, message
):
    """Which votes are refused is services' business (test_services.py); here, how the page
    tells the reader: the results with a message, or the form again with an error."""
    choice_id = refusal(voter, question)
    counts = sorted(Choice.objects.values_list("pk", "votes"))
    response = client.post(vote_url(question), {"choice": choice_id})
    assert response.status_code == status
    if status == 302:
        assert response.url == reverse("polls:results", args=[question.pk])
        response = client.get(response.url)
    assert message in response.text
    assert sorted(Choice.objects.values_list("pk", "votes")) == counts


def test_an_anonymous_vote_is_sent_to_log_in_and_back_to_the_question(client, question):
    response = client.post(vote_url(question), {"choice": question.choices.first().pk})
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={question.get_absolute_url()}"
    assert not Vote.objects.exists()


def test_a_vote_on_a_future_question_is_404(client, voter):
    future = create_question("Future.", days=1)
    response = client.post(vote_url(future), {"choice": future.choices.first().pk})
    assert response.status_code == 404
    assert not Vote.objects.exists()


# ------------------------------------------------------------------------------ bad input
def assert_refused_with_please_select(response, question):
    assert response.status_code == 400
    assert "Please select a choice." in response.text
    # The detail page again, with the form to try once more.
    assert f'action="{vote_url(question)}"' in response.text
    assert set(Choice.objects.values_list("votes", flat=True)) == {0}
    assert not Vote.objects.exists()


def test_no_choice_selected_shows_the_question_again_with_an_error(client, voter, question):
    assert_refused_with_please_select(client.post(vote_url(question)), question)


@pytest.mark.parametrize(
    "value", ["", "abc", "1.5", "-1", "0", "99999999999999999999999", "1 OR 1=1"]
)
def test_a_malformed_choice_is_refused(client, voter, question, value):
    assert_refused_with_please_select(client.post(vote_url(question), {"choice": value}), question)


def test_a_get_to_the_vote_url_is_405_with_the_sites_page(client, voter, question):
    response = client.get(vote_url(question))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "only accepts a form submission" in response.text


def test_a_vote_without_a_csrf_token_is_403_and_not_counted(question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(vote_url(question), {"choice": question.choices.first().pk})
    assert response.status_code == 403
    assert not Vote.objects.exists()


def test_a_vote_with_the_pages_csrf_token_is_accepted(question):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    client.get(question.get_absolute_url())  # sets the CSRF cookie, as a browser would
    token = client.cookies["csrftoken"].value
    response = client.post(
        vote_url(question), {"choice": question.choices.first().pk, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Vote.objects.count() == 1


# ------------------------------------------------------------------------------ home page
def test_home_shows_the_newest_open_poll_with_a_vote_form(client, voter):
    create_question("Older poll?", days=-3)
    newest = create_question("Newest poll?", days=-1)
    QuestionFactory(
        text="Closed poll?",
        choices=["a"],
        pub_date=timezone.now() - timedelta(hours=2),
        closes_at=timezone.now() - timedelta(hours=1),
    )
    create_question("Future poll?", days=2)
    response = client.get(reverse("home"))
    assert response.context["current_poll"] == newest
    assert f'action="{vote_url(newest)}"' in response.text
    assert reverse("polls:results", args=[newest.pk]) in response.text
    assert "Future poll?" not in response.text


def test_home_says_no_poll_is_open_when_there_is_none(client):
    response = client.get(reverse("home"))
    assert response.context["current_poll"] is None
    assert "No poll is open right now." in response.text


def test_home_shows_the_current_polls_choices_and_three_earlier_polls(client):
    for n in range(7):
        create_question(f"Poll {n}?", days=-n - 1)
    response = client.get(reverse("home"))
    current = response.context["current_poll"]
    earlier = response.context["earlier_polls"]
    assert current.text == "Poll 0?"
    assert [poll.text for poll in earlier] == ["Poll 1?", "Poll 2?", "Poll 3?"]
    for choice in current.choices.all():
        assert f"<li>{choice.text}</li>" in response.text
