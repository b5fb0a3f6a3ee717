from django.urls import path

from groupket.privacy.views import consents, documents, member, renewal, unsubscribe

app_name = "privacy"

urlpatterns = [
    path("privacy/", documents.policy, name="policy"),
    path("privacy/v<int:version>/", documents.policy_version, name="policy_version"),
    path("terms/", documents.terms, name="terms"),
    path("terms/v<int:version>/", documents.terms_version, name="terms_version"),
    path("me/disclosures/", member.my_disclosures, name="my_disclosures"),
    path("me/export/", member.export, name="export"),
    path("me/export/<int:export_id>/download/", member.export_download, name="export_download"),
    path("me/consents/", consents.consents, name="consents"),
    path("news/unsubscribe/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("me/agreements/renew/", renewal.renew, name="renew"),
    path("me/agreements/renew/declined/", renewal.declined, name="renew_declined"),
]
