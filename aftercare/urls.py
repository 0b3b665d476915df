"""Pages of aftercare."""

app_name = "aftercare"
urlpatterns: list = []
