from django.conf import settings
from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """The login page; on the embedded default it also lists the demo accounts."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_LOGINS:
            from raci.models import Party

            context["demo_parties"] = Party.objects.prefetch_related("group__user_set")
        return context
