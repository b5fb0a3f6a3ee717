from django.urls import path

from groupket.privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("privacy/v<int:version>/", views.policy_version, name="policy_version"),
    path("terms/", views.terms, name="terms"),
    path("terms/v<int:version>/", views.terms_version, name="terms_version"),
]
