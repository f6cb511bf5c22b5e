from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("new/", views.new_change, name="new"),
    path("emergency/", views.new_emergency, name="emergency"),
    path("calendar/", views.calendar, name="calendar"),
    path("blackouts/", views.blackouts, name="blackouts"),
    path("blackouts/<int:pk>/delete/", views.delete_blackout, name="delete_blackout"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/actions/<slug:action>/", views.act, name="act"),
]
