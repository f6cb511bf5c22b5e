from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("export/", views.export_view, name="export"),
    path("<slug:subject_type>/<str:key>/", views.record_trail, name="record"),
]
