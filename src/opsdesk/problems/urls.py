from django.urls import path

from . import exports, views

app_name = "problems"
urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("new/", views.new_problem, name="new"),
    path("export/", exports.export_queue, name="export"),
    path("known-errors/", views.known_error_search, name="known_errors"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/actions/<slug:action>/", views.act, name="act"),
]
