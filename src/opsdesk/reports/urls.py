from django.urls import path

from . import dashboard_views, kpi_views, monthly_views

app_name = "reports"
urlpatterns = [
    path("dashboards/", dashboard_views.dashboard_index, name="dashboards"),
    path("dashboards/<slug:slug>/", dashboard_views.dashboard_page, name="dashboard"),
    path("kpis/", kpi_views.kpi_table, name="kpis"),
    path("kpis/<slug:key>/tickets/", kpi_views.kpi_tickets, name="kpi_tickets"),
    path("monthly/", monthly_views.index, name="monthly_index"),
    path("monthly/<str:month>/", monthly_views.page, name="monthly"),
    path("monthly/<str:month>/generate/", monthly_views.generate, name="monthly_generate"),
    path("monthly/<str:month>/subscription/", monthly_views.subscription,
         name="monthly_subscription"),
    path("monthly/<str:month>/report.<str:format>", monthly_views.download,
         name="monthly_file"),
]
