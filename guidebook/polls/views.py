from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import generic

from .forms import VoteForm
from .models import Question, Vote
from .services import InvalidChoice, VoteRefused, vote_cast


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
    """POST only; a vote is counted once and answered with a redirect to the results."""

    http_method_names = ["post"]

    def get_queryset(self):
        # The cheap half of published(): a question without choices cannot be voted in anyway
        # (vote_cast finds no choice to count) and is answered 404 in refuse().
        return Question.objects.filter(pub_date__lte=timezone.now())

    def post(self, request, *args, **kwargs):
        question = self.object = self.get_object()
        if not request.user.is_authenticated:
            # Back to the question, not to this POST-only address, after logging in.
            return redirect_to_login(question.get_absolute_url())
        form = VoteForm(request.POST, question=question)
        if not form.is_valid():
            return self.refuse(form)
        try:
            vote_cast(user=request.user, question=question, choice_id=form.cleaned_data["choice"])
        except InvalidChoice as refused:
            form.add_error("choice", str(refused))
            return self.refuse(form)
        except VoteRefused as refused:
            messages.warning(request, str(refused))
        else:
            messages.success(request, "Thank you: your vote has been counted.")
        return redirect("polls:results", question.pk)

    def refuse(self, form):
        if not Question.objects.published().filter(pk=self.object.pk).exists():
            raise Http404("No poll to vote in here.")
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def http_method_not_allowed(self, request, *args, **kwargs):
        # Django answers 405 with an empty body; say what to do instead.
        response = super().http_method_not_allowed(request, *args, **kwargs)
        response.content = render_to_string("405.html", request=request)
        return response
