"""RM.1.1 and RM.1.2, the activities of the release itself, as the registry knows them:
both are performed on pages of their own (formalise and revise; assign roles)."""

from .registry import ActivitySpec, register


def _rfcs(release, user) -> dict:
    """The RfCs the release carries (RM.1.1 starts from a Change Implementation Request)."""
    return {"rfcs": list(release.rfcs.all())}


register(
    ActivitySpec(
        "RM.1.1",
        "Formalise the release",
        partials=("changes/_rfcs.html", "releases/_revise_planning.html"),
        records=_rfcs,
    )
)
register(ActivitySpec("RM.1.2", "Assign roles", page="releases:assign_roles"))
