from django.urls import path

from groupket.analytics.views import staff

app_name = "staff_analytics"

urlpatterns = [
    path("", staff.dashboard, name="dashboard"),
    path("aggregates.csv", staff.aggregates_csv, name="csv"),
]
