from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from .errors import OpsDeskError
from .forms import NotificationSettingsForm
from .models import User
from .preferences import set_channel_settings


@require_POST
def set_language(request):
    """Django's language switch keeps the choice in a cookie; keep it on the
    profile too, so it follows the user to another browser and to the API."""
    response = django_set_language(request)
    chosen = request.POST.get("language")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=chosen)
    return response


@login_required
def notification_settings(request):
    """The signed-in user's channels: e-mail, SMS, group robots, webhooks."""
    data = request.POST if request.method == "POST" else None
    form = NotificationSettingsForm(request.user, data)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            set_channel_settings(request.user, actor=request.user, wanted=form.wanted(),
                                 phone=form.cleaned_data["phone"])
        except OpsDeskError as error:
            form.add_error(None, str(error.message))
            for channel, text in error.fields.items():
                switch = f"{channel}_enabled"
                form.add_error(switch if switch in form.fields else None, str(text))
            status = error.status
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_settings")
    elif form.is_bound:
        status = 422
    return render(request, "core/notifications.html", {"form": form}, status=status)


def _start_page(user) -> str:
    """Requesters start in the self-service portal, staff in the console."""
    if user.is_authenticated and user.is_requester:
        return resolve_url("portal:home")
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def home(request):
    return redirect(_start_page(request.user))


class LoginView(auth_views.LoginView):
    def get_default_redirect_url(self):
        return _start_page(self.request.user)
