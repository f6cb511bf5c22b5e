from django.contrib import admin
from django.urls import include, path

from opsdesk.api import api
from opsdesk.core.views import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("portal/", include("opsdesk.portal.urls")),
    path("kb/", include("opsdesk.knowledge.urls")),
    path("problems/", include("opsdesk.problems.urls")),
    path("cmdb/", include("opsdesk.cmdb.urls")),
    path("changes/", include("opsdesk.changes.urls")),
    path("major/", include("opsdesk.major.urls")),
    path("reports/", include("opsdesk.reports.urls")),
    path("audit/", include("opsdesk.audit.urls")),
    path("", include("opsdesk.core.urls")),
    path("", include("opsdesk.incidents.urls")),
]
