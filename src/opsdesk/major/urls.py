from django.urls import path

from . import views

app_name = "major"
urlpatterns = [
    path("", views.major_list, name="list"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/drills/", views.plan_drill, name="plan_drill"),
    path("declare/<str:number>/", views.declare, name="declare"),
    path("<str:number>/report/", views.report_view, name="report"),
    path("<str:number>/actions/<slug:action>/", views.act, name="act"),
]
