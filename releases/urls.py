from django.urls import path

from . import views

app_name = "releases"

urlpatterns = [
    path("", views.release_list, name="list"),
    path("new/", views.release_create, name="create"),
    path("export/", views.release_export, name="export"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/export/", views.schedule_export, name="schedule_export"),
    path("<str:identifier>/", views.release_detail, name="detail"),
    path("<str:identifier>/record/", views.release_record, name="record"),
    path("<str:identifier>/planning/", views.release_edit, name="edit"),
    path("<str:identifier>/roles/", views.assign_roles, name="assign_roles"),
    path("<str:identifier>/milestones/", views.milestones, name="milestones"),
    path("<str:identifier>/activities/<str:code>/", views.activity_page, name="activity"),
    path("<str:identifier>/activities/<str:code>/waive/", views.waive, name="waive"),
    path("<str:identifier>/activities/<str:code>/catch-up/", views.catch_up, name="catch_up"),
    path("<str:identifier>/transitions/<str:name>/", views.transition, name="transition"),
]
