"""Pages of kpis."""

app_name = "kpis"
urlpatterns: list = []
