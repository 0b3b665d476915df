from django import forms

from releasemgmt.forms import GuardedForm

from .models import Survey
from .services import COMMENT_LIMIT


class AnswerForm(GuardedForm):
    """The short form of the survey: a score from 0 to 10 and, if the respondent wants,
    a comment."""

    score = forms.IntegerField(
        label="Score (0 to 10)",
        min_value=0,
        max_value=10,
        widget=forms.RadioSelect(choices=[(n, str(n)) for n in range(11)]),
        help_text="0 not at all satisfied, 10 fully satisfied with how the release was run.",
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What went well, what we should do better (optional).",
    )

    def __init__(self, *args, target: Survey | None = None, release=None, **kwargs):
        self.survey = target
        super().__init__(*args, **kwargs)
