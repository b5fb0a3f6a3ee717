from django.urls import include, path

from groupket import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("groupket.privacy.urls")),
    path("", include("groupket.accounts.urls")),
]

handler400 = "groupket.views.bad_request"
handler403 = "groupket.views.permission_denied"
handler404 = "groupket.views.page_not_found"
handler500 = "groupket.views.server_error"
