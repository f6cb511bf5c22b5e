from django.contrib.auth import views as auth_views
from django.urls import path

from .views import LoginView, home, notification_settings

urlpatterns = [
    path("", home, name="home"),
    path(
        "login/",
        LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/notifications/", notification_settings, name="notification_settings"),
]
