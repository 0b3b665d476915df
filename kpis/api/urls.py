"""API of kpis."""

urlpatterns: list = []
