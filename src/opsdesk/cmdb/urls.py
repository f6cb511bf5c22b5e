from django.urls import path

from . import views

app_name = "cmdb"
urlpatterns = [
    path("", views.ci_list, name="list"),
    path("import/", views.ci_import, name="import"),
    path("export/", views.ci_export, name="export"),
    path("new/", views.ci_new, name="new"),
    path("new/attributes/", views.attribute_fields, name="attribute_fields"),
    path("<int:pk>/", views.ci_detail, name="detail"),
    path("<int:pk>/edit/", views.ci_edit, name="edit"),
    path("<int:pk>/relationships/", views.relationship_add, name="relationship_add"),
    path("<int:pk>/relationships/candidates/", views.relationship_candidates,
         name="relationship_candidates"),
    path("<int:pk>/relationships/<int:relationship_id>/remove/", views.relationship_remove,
         name="relationship_remove"),
]
