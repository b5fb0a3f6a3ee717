from django.urls import include, path

from groupket import views
from groupket.staff.views import contact

urlpatterns = [
    path("", views.home, name="home"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    # Resolving tries each pattern in turn: the sign-in page comes early. No address of these matches two patterns,
    # so the order decides no page (tests/core/test_url_order.py resolves each page by its address).
    path("", include("groupket.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The contact page is public, but its requests land on the staff desk; privacy may not import staff.
    path("privacy/contact/", contact.contact, name="privacy_contact"),
    path("privacy/contact/sent/", contact.sent, name="privacy_contact_sent"),
    path("privacy/contact/verify/<str:token>/", contact.verify, name="privacy_contact_verify"),
    path("", include("groupket.privacy.urls")),
    path("staff/moderation/", include("groupket.moderation.staff_urls")),
    path("staff/", include("groupket.staff.urls")),
    path("", include("groupket.spaces.urls")),
    path("staff/analytics/", include("groupket.analytics.staff_urls")),
    path("", include("groupket.analytics.urls")),
    path("", include("groupket.moderation.urls")),
    path("", include("groupket.orders.urls")),
]

handler400 = "groupket.views.bad_request"
handler403 = "groupket.views.permission_denied"
handler404 = "groupket.views.page_not_found"
handler500 = "groupket.views.server_error"
