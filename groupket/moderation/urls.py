from django.urls import path

from groupket.moderation.views import member, organisers, transparency

app_name = "moderation"

urlpatterns = [
    path("transparency/", transparency.transparency, name="transparency"),
    path("me/moderation/", member.mine, name="mine"),
    path("me/moderation/<int:decision_id>/appeal/", member.appeal, name="appeal"),
    path("s/<slug:slug>/p/<int:post_id>/report/", member.report_post, name="report_post"),
    path("s/<slug:slug>/c/<int:comment_id>/report/", member.report_comment, name="report_comment"),
    path("s/<slug:slug>/moderation/", organisers.queue, name="space_queue"),
    path("s/<slug:slug>/moderation/cases/<int:case_id>/", organisers.case, name="space_case"),
    path(
        "s/<slug:slug>/moderation/cases/<int:case_id>/photos/<int:image_id>/",
        organisers.case_photo,
        name="space_case_photo",
    ),
    path("s/<slug:slug>/moderation/appeals/<int:appeal_id>/", organisers.appeal, name="space_appeal"),
    path("s/<slug:slug>/moderation/words/", organisers.words, name="space_words"),
]
