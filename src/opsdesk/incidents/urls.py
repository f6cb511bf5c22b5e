from django.urls import path

from . import exports, monitor, views

app_name = "incidents"
urlpatterns = [
    path("incidents/", views.queue_view, name="queue"),
    path("incidents/monitor/", monitor.monitor_view, name="monitor"),
    path("incidents/new/", views.new_incident, name="new"),
    path("incidents/export/", exports.export_queue, name="export"),
    path("incidents/new/duplicates/", views.duplicate_suggestions, name="duplicates"),
    path("incidents/new/priority/", views.priority_preview, name="priority"),
    path("incidents/<str:number>/", views.detail, name="detail"),
    path("incidents/<str:number>/actions/<slug:action>/", views.act, name="act"),
    path("incidents/<str:number>/attachments/", views.attach, name="attach"),
    path("incidents/<str:number>/attachments/<int:attachment_id>/", views.download,
         name="attachment"),
    path("search/", views.search, name="search"),
]
