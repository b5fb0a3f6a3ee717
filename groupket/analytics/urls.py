from django.urls import path

from groupket.analytics.views import cookies

app_name = "analytics"

urlpatterns = [
    path("cookies/", cookies.cookie_settings, name="cookies"),
]
