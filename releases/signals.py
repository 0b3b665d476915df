"""What happens to a release that the rooms above it want to hear of, without the
release knowing them (the layers run one way): change management follows the releases
that carry its RfCs (issue: told of cancel, NOGO, rollback, a moved installation date)."""

from django.dispatch import Signal

#: a release changed stage: ``release``, ``transition`` (its name), ``by``
release_moved = Signal()
#: a release's planned installation date changed: ``release``, ``before``, ``by``
installation_date_moved = Signal()
#: an activity of a release was recorded as done: ``release``, ``code``, ``outcome``, ``by``
#: (the rooms of what follows go-live start from it: hypercare after RM.6.5, the
#: satisfaction survey after RM.6.7)
activity_done = Signal()
#: activities of a release done before are to be done again (a new round, a rollback
#: reopened after the installation): ``release``, ``codes``
activities_reset = Signal()
