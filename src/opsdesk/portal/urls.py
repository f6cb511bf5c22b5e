from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.submit, name="submit"),
    path("new/suggestions/", views.suggestions, name="suggestions"),
    path("tickets/<str:number>/", views.ticket, name="ticket"),
    path("tickets/<str:number>/actions/<slug:action>/", views.act, name="act"),
    path("tickets/<str:number>/attachments/", views.attach, name="attach"),
    path("tickets/<str:number>/attachments/<int:attachment_id>/", views.download,
         name="attachment"),
    path("tickets/<str:number>/survey/", views.answer_survey, name="survey"),
    path("login/link/", views.request_signin_link, name="signin"),
    path("login/link/<str:token>/", views.follow_signin_link, name="signin_link"),
]
