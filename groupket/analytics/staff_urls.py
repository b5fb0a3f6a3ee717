from django.urls import path

from groupket.analytics import views_staff

app_name = "staff_analytics"

urlpatterns = [
    path("", views_staff.dashboard, name="dashboard"),
    path("aggregates.csv", views_staff.aggregates_csv, name="csv"),
]
