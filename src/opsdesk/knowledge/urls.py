from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.new, name="new"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("incidents/<str:number>/uses/", views.use, name="use"),
    path("incidents/<str:number>/article/", views.from_incident, name="from_incident"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/edit/", views.edit, name="edit"),
    path("<str:number>/review/", views.review, name="review"),
]
