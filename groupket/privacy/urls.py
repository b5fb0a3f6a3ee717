from django.urls import path

from groupket.privacy import views, views_consents, views_member, views_renewal, views_unsubscribe

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("privacy/v<int:version>/", views.policy_version, name="policy_version"),
    path("terms/", views.terms, name="terms"),
    path("terms/v<int:version>/", views.terms_version, name="terms_version"),
    path("me/disclosures/", views_member.my_disclosures, name="my_disclosures"),
    path("me/export/", views_member.export, name="export"),
    path("me/export/<int:export_id>/download/", views_member.export_download, name="export_download"),
    path("me/consents/", views_consents.consents, name="consents"),
    path("news/unsubscribe/<str:token>/", views_unsubscribe.unsubscribe, name="unsubscribe"),
    path("me/agreements/renew/", views_renewal.renew, name="renew"),
    path("me/agreements/renew/declined/", views_renewal.declined, name="renew_declined"),
]
