from django.urls import path

from . import views

app_name = "cmdb"
urlpatterns = [
    path("", views.ci_list, name="list"),
    path("import/", views.ci_import, name="import"),
    path("export/", views.ci_export, name="export"),
    path("<int:pk>/", views.ci_detail, name="detail"),
]
