"""The personal link of a Move2Run item owed (issue 16): a mail to the item's owner
party (a reminder, an escalation) carries ``personal=(PURPOSE, item)`` and each
addressee confirms the item done from it, with a note or a link as evidence (a file is
attached on the checklist page)."""

from releasemgmt.accounts.personal_links import Purpose

from . import services
from .forms import ConfirmItemForm
from .models import ChecklistItem

#: the purpose of the personal links of a Move2Run item
PURPOSE = "checklist_item"


class ConfirmFromMailForm(ConfirmItemForm):
    """The item's confirmation as its link's page takes it: a note or a link."""

    def __init__(self, *args, target: ChecklistItem | None = None, **kwargs):
        super().__init__(*args, release=target.release if target else None, **kwargs)
        del self.fields["evidence_file"]
        self.item = target


def _act(item: ChecklistItem, *, by, data):
    return services.confirm_item(
        item.release,
        item.pk,
        by=by,
        evidence_note=data.get("evidence_note") or "",
        evidence_link=data.get("evidence_link") or "",
    )


def _title(item: ChecklistItem) -> str:
    return f"Move2Run item {item.title}: release {item.release.identifier}"


def _done_at(item: ChecklistItem, user):
    item.refresh_from_db(fields=["status", "settled_at"])
    settled = (ChecklistItem.Status.DONE, ChecklistItem.Status.WAIVED)
    return item.settled_at if item.status in settled else None


CONFIRM_ITEM = Purpose(
    name=PURPOSE,
    form=ConfirmFromMailForm,
    template="readiness/confirm_from_mail.html",
    done_template="readiness/confirmed_from_mail.html",
    act=_act,
    title=_title,
    done_at=_done_at,
)
