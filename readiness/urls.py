"""Pages of readiness."""

app_name = "readiness"
urlpatterns: list = []
