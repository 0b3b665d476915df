from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("", views.start, name="start"),
    path("rfcs/", views.rfc_list, name="rfcs"),
    path("rfcs/new/", views.raise_rfc, name="raise"),
    path("rfcs/<str:reference>/", views.rfc_page, name="rfc"),
    path("rfcs/<str:reference>/record/", views.rfc_record, name="rfc_record"),
    path("rfcs/<str:reference>/edit/", views.revise_rfc, name="revise"),
    path("rfcs/<str:reference>/steps/<str:name>/", views.fire_step, name="step"),
    path("rfcs/<str:reference>/review/", views.record_review, name="review"),
    path("rfcs/<str:reference>/attachments/", views.attach, name="attach"),
    path("rfcs/<str:reference>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/export/", views.schedule_export, name="schedule_export"),
    path("cab/", views.meetings, name="meetings"),
    path("cab/new/", views.plan_meeting, name="plan_meeting"),
    path("cab/<int:pk>/", views.meeting, name="meeting"),
    path("cab/<int:pk>/conflicts/", views.meeting_conflicts, name="meeting_conflicts"),
    path("cab/<int:pk>/agenda/", views.agenda, name="agenda"),
    path("cab/<int:pk>/advice/", views.advice, name="advice"),
    path("cab/<int:pk>/decisions/", views.decide, name="decide"),
    path("cab/<int:pk>/minutes/", views.minutes, name="minutes"),
]
