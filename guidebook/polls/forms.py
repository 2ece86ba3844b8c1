from django import forms
from django.utils.choices import CallableChoiceIterator

PLEASE_SELECT = "Please select a choice."
LARGEST_ID = 2**63 - 1  # BigAutoField


class BallotForm(forms.Form):
    """The answer to a poll, checked only to be a possible id, without a query: vote_cast checks
    that it is one of the question's choices in the statement that counts the vote, which saves
    a query on the busiest path of the site (see docs/benchmarks.md). Anything else is "no
    choice"."""

    choice = forms.IntegerField(
        min_value=1,
        max_value=LARGEST_ID,
        widget=forms.RadioSelect,
        error_messages={
            code: PLEASE_SELECT for code in ("required", "invalid", "min_value", "max_value")
        },
    )


class VoteForm(BallotForm):
    """The poll's form: one radio button per choice of the question."""

    def __init__(self, *args, question, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        field = self.fields["choice"]
        field.label = question.text
        # Read only when the radio buttons are rendered.
        field.widget.choices = CallableChoiceIterator(
            lambda: question.choices.values_list("pk", "text")
        )
