from django.urls import path

from groupket.analytics import views

app_name = "analytics"

urlpatterns = [
    path("cookies/", views.cookie_settings, name="cookies"),
]
