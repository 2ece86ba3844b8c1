from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.views import generic

from .forms import BallotForm, VoteForm
from .models import Question, Vote
from .services import InvalidChoice, PollNotPublished, VoteRefused, vote_cast


class PublishedQuestionMixin:
    """Future questions and questions without choices are 404 everywhere."""

    context_object_name = "question"

    def get_queryset(self):
        return Question.objects.published()

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault(
            "user_vote",
            Vote.objects.filter(user=user, question=self.object).select_related("choice").first()
            if user.is_authenticated
            else None,
        )
        kwargs.setdefault("is_closed", self.object.is_closed())
        return super().get_context_data(**kwargs)


class IndexView(generic.ListView):
    template_name = "polls/index.html"
    context_object_name = "questions"
    paginate_by = 10

    def get_queryset(self):
        return Question.objects.published().newest_first()


class DetailView(PublishedQuestionMixin, generic.DetailView):
    template_name = "polls/detail.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", VoteForm(question=self.object))
        return super().get_context_data(**kwargs)


class ResultsView(PublishedQuestionMixin, generic.DetailView):
    template_name = "polls/results.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tally=self.object.tally(), **kwargs)


class VoteView(DetailView):
    """POST only; a vote is counted once and answered with a redirect to the results.

    A counted vote reads nothing but the session and the user: services.vote_cast checks the
    poll and the choice in the statement that counts it. The question is loaded only to answer
    anything else (a refusal, a form error, an anonymous voter).
    """

    http_method_names = ["post"]

    def get_queryset(self):
        return Question.objects.published()

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            # Back to the question, not to this POST-only address, after logging in.
            return redirect_to_login(self.get_object().get_absolute_url())
        ballot = BallotForm(request.POST)
        if not ballot.is_valid():
            return self.refuse()
        try:
            vote_cast(
                user=request.user,
                question_id=self.kwargs["pk"],
                choice_id=ballot.cleaned_data["choice"],
            )
        except (Question.DoesNotExist, PollNotPublished):
            raise Http404("No poll to vote in here.") from None
        except InvalidChoice as refused:
            return self.refuse(str(refused))
        except VoteRefused as refused:
            messages.warning(request, str(refused))
        else:
            messages.success(request, "Thank you: your vote has been counted.")
        return redirect("polls:results", self.kwargs["pk"])

    def refuse(self, error: str = ""):
        """The question again, with what was wrong with the answer (404 if no such poll)."""
        self.object = self.get_object()
        form = VoteForm(self.request.POST, question=self.object)
        if error:
            form.add_error("choice", error)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Django answers 405 with an empty body; say what to do instead.
        response = super().http_method_not_allowed(request, *args, **kwargs)
        response.content = render_to_string("405.html", request=request)
        return response
