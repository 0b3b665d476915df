"""``choice_labels`` writes a field's choices from the widget's choices (issue 17): the
same markup as Django's own subwidgets give, bound or not, for boxes and radios, with
what the user ticked, the field's ``required`` and ``disabled``, and every value and
label escaped."""

import pytest
from django import forms

from releasemgmt.form_choices import _from_subwidgets, choice_labels

HOSTILE = [("a", "Alpha"), ("b&<", 'Bravo <b>"bold"</b>'), ("3", "Three"), ("", "None")]


class Choosing(forms.Form):
    many = forms.MultipleChoiceField(
        choices=HOSTILE, widget=forms.CheckboxSelectMultiple, required=False
    )
    one = forms.ChoiceField(choices=HOSTILE, widget=forms.RadioSelect)
    frozen = forms.ChoiceField(
        choices=HOSTILE, widget=forms.RadioSelect, disabled=True, initial="3", required=False
    )
    score = forms.IntegerField(widget=forms.RadioSelect(choices=[(n, str(n)) for n in range(3)]))


@pytest.mark.parametrize(
    "form",
    [
        Choosing(),
        Choosing(initial={"many": ["a", "3"], "one": "b&<"}),
        Choosing({"many": ["b&<", ""], "one": "3", "score": "2"}),
        Choosing({"one": "nothing such"}),
        Choosing(prefix="p", auto_id=False),
    ],
    ids=["blank", "initial", "bound", "refused", "no ids"],
)
def test_the_choices_are_the_markup_of_djangos_subwidgets(form):
    form.is_valid()
    for name in ("many", "one", "frozen", "score"):
        assert choice_labels(form[name]) == _from_subwidgets(form[name]), name


def test_what_was_ticked_is_checked_and_nothing_is_left_unescaped():
    form = Choosing({"many": ["a", "b&<"], "one": "3"})
    many = choice_labels(form["many"])
    assert many.count(" checked") == 2
    assert 'value="b&amp;&lt;" id="id_many_1" checked' in many
    assert "<b>" not in many
    assert "Bravo &lt;b&gt;&quot;bold&quot;&lt;/b&gt;" in many
    one = choice_labels(form["one"])
    assert one.count(" checked") == 1
    assert one.count(" required") == len(HOSTILE)
    assert choice_labels(form["frozen"]).count(" disabled") == len(HOSTILE)


def test_a_field_without_choices_says_so():
    class Empty(forms.Form):
        none = forms.MultipleChoiceField(choices=[], widget=forms.CheckboxSelectMultiple)

    assert "Nothing to choose" in choice_labels(Empty()["none"])
