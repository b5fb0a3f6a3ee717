from django.urls import path

from groupket.moderation.views import staff

app_name = "moderation_staff"

urlpatterns = [
    path("", staff.queue, name="queue"),
    path("cases/<int:case_id>/", staff.case, name="case"),
    path("cases/<int:case_id>/photos/<int:image_id>/", staff.case_photo, name="case_photo"),
    path("appeals/<int:appeal_id>/", staff.appeal, name="appeal"),
    path("words/", staff.words, name="words"),
]
