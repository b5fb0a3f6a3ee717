from django.urls import path

from groupket.staff.views import access, home, legal, members, officer, retained, roles
from groupket.staff.views import requests as desk
from groupket.staff.views import safeguards as safeguard_views

app_name = "staff"

urlpatterns = [
    path("", home.console_home, name="home"),
    path("enrol/", safeguard_views.enrol, name="enrol"),
    path("verify/", safeguard_views.verify, name="verify"),
    path("password/", safeguard_views.change_password, name="password"),
    path("roles/", roles.role_desk, name="roles"),
    path("roles/grant/", roles.grant, name="grant_role"),
    path("roles/<int:grant_id>/revoke/", roles.revoke, name="revoke_role"),
    path("roles/reset-authenticator/", roles.reset_lost_authenticator, name="reset_authenticator"),
    path("members/", members.look_up_member, name="members"),
    path("access-log/", access.access_log, name="access_log"),
    path("access-review/", access.access_review, name="access_review"),
    path("legal/", legal.legal_requests, name="legal_requests"),
    path("legal/new/", legal.new_legal_request, name="legal_new"),
    path("legal/<int:pk>/", legal.legal_request_detail, name="legal_request"),
    path("legal/<int:pk>/release/", legal.release, name="legal_release"),
    path("retained/", retained.lookup, name="retained"),
    path("retained/<uuid:record_ref>/", retained.read, name="retained_read"),
    path("destructions/", officer.destructions, name="destructions"),
    path("notices/", officer.notices, name="notices"),
    path("policy/", officer.policy, name="policy"),
    path("requests/", desk.request_list, name="requests"),
    path("requests/<int:pk>/", desk.request_detail, name="request"),
    path("requests/<int:pk>/notes/", desk.save_notes, name="request_notes"),
    path("requests/<int:pk>/verify/", desk.send_verification, name="request_verify"),
    path("requests/<int:pk>/answer/", desk.answer, name="request_answer"),
    path("requests/<int:pk>/close/", desk.close, name="request_close"),
    path("requests/<int:pk>/correct/", desk.correct, name="request_correct"),
    path("requests/<int:pk>/delete/", desk.delete, name="request_delete"),
    path("requests/<int:pk>/files/<int:attachment_id>/", desk.attachment, name="request_attachment"),
]
