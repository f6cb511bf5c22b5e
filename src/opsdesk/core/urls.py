from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from .views import notification_settings

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:queue"), name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/notifications/", notification_settings, name="notification_settings"),
]
