"""Forms of the DSL: what is stored in it."""

from django import forms

from releasemgmt.forms import GuardedForm, ReleaseForm

from .models import ArchiveMedium, CIStatus, Document, Subscriber


class ComponentForm(ReleaseForm):
    """RM.2.3: store a delivered component in the DSL."""

    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=40)
    file = forms.FileField()


class DocumentForm(ReleaseForm):
    """RM.2.4: store a document in the DSL."""

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    file = forms.FileField()


class SubscriberImportForm(GuardedForm):
    """The service desk's list of an application's impacted users."""

    file = forms.FileField(label="CSV file (columns: email,name)")


class SubscriberForm(GuardedForm):
    """One impacted user, added by hand."""

    email = forms.EmailField(
        max_length=Subscriber._meta.get_field("email").max_length, label="E-mail"
    )
    name = forms.CharField(max_length=Subscriber._meta.get_field("name").max_length, required=False)


class RemoveSubscriberForm(GuardedForm):
    """The address of the impacted user to remove."""

    remove = forms.CharField(
        max_length=Subscriber._meta.get_field("email").max_length, label="E-mail"
    )


class ArchiveMediumForm(GuardedForm):
    """RM.2.4: where one of the two media of an archive is kept."""

    number = forms.TypedChoiceField(choices=[(1, "Medium 1"), (2, "Medium 2")], coerce=int)
    location = forms.ChoiceField(choices=ArchiveMedium.Location.choices)
    sent_to = forms.CharField(max_length=200, required=False, label="Sent to")


class CITaskForm(GuardedForm):
    """RM.6.7: the configuration manager confirms each proposed CI status change, or
    amends it, saying why."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2_000,
        label="Why amended (or a note)",
    )

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = list(task.proposals.all())
        for proposal in self.proposals:
            self.fields[proposal.field_name] = forms.ChoiceField(
                choices=CIStatus.choices,
                initial=proposal.proposed_status,
                required=False,
                label=f"{proposal.item.name} {proposal.item.version}",
            )

    def confirmed(self) -> dict:
        """What the service takes: each proposal's status (as proposed where not given)."""
        data = self.cleaned_data
        return {
            "statuses": {p.pk: data.get(p.field_name) or p.proposed_status for p in self.proposals},
            "note": data.get("note", ""),
        }
