"""What happens to a release that the rooms above it want to hear of, without the
release knowing them (the layers run one way): change management follows the releases
that carry its RfCs (issue: told of cancel, NOGO, rollback, a moved installation date)."""

from django.dispatch import Signal

#: a release changed stage: ``release``, ``transition`` (its name), ``by``
release_moved = Signal()
#: a release's planned installation date changed: ``release``, ``before``, ``by``
installation_date_moved = Signal()
