"""The state machines' base: django-fsm-2's ``ConcurrentTransitionMixin`` (a transition
saved over a state another request changed meanwhile fails), with its state fields found
once per model. The library looks for them among every field of the model each time an
instance is made, which cost a CAB meeting's page about a fifth of the time it spent
making its 150 requests for change (34 fields each; issue 17)."""

from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin


class ConcurrentTransitions(ConcurrentTransitionMixin):
    @property
    def state_fields(self):
        model = type(self)
        found = model.__dict__.get("_state_fields")
        if found is None:
            found = tuple(f for f in model._meta.fields if isinstance(f, FSMFieldMixin))
            model._state_fields = found  # per model class, never per instance
        return found
