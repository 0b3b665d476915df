from django.urls import path

from . import views

app_name = "raci"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("rm_raci.csv", views.matrix_csv, name="matrix_csv"),
    path("activities/", views.activities, name="activities"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/<str:name>/", views.organisation, name="organisation"),
    path("cells/<str:code>/<slug:party>/", views.edit_cell, name="edit_cell"),
    path("waivable/<str:code>/<slug:release_type>/", views.edit_waivable, name="edit_waivable"),
]
