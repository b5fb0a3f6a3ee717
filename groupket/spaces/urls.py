from django.urls import path

from groupket.spaces.views import directory, home, manage, notifications, posts, space

app_name = "spaces"

urlpatterns = [
    path("spaces/", directory.directory, name="directory"),
    path("spaces/new/", directory.create, name="create"),
    path("members/<int:member_id>/", home.member_page, name="member"),
    path("me/notifications/", notifications.notifications, name="notifications"),
    path("me/notifications/read/", notifications.read, name="notifications_read"),
    path("me/notifications/email/", notifications.email_switches, name="notifications_email"),
    path("notifications/off/<str:token>/", notifications.switch_off, name="notifications_off"),
    path("s/<slug:slug>/", space.home, name="home"),
    path("s/<slug:slug>/join/", space.join, name="join"),
    path("s/<slug:slug>/leave/", space.leave, name="leave"),
    path("s/<slug:slug>/invitation/", space.answer_invitation, name="answer_invitation"),
    path("s/<slug:slug>/invite/<str:token>/", space.invitation_link, name="invitation_link"),
    path("s/<slug:slug>/manage/", manage.manage, name="manage"),
    path("s/<slug:slug>/manage/settings/", manage.update_settings, name="update_settings"),
    path("s/<slug:slug>/manage/slow-mode/", manage.slow_mode, name="slow_mode"),
    path("s/<slug:slug>/manage/link/", manage.invitation_link, name="manage_link"),
    path("s/<slug:slug>/manage/close/", manage.close, name="close"),
    path("s/<slug:slug>/members/", manage.members, name="members"),
    path("s/<slug:slug>/members/invite/", manage.invite, name="invite"),
    path("s/<slug:slug>/members/act/", manage.act_on_member, name="act_on_member"),
    path("s/<slug:slug>/posts/new/", posts.new_post, name="new_post"),
    path("s/<slug:slug>/p/<int:post_id>/", posts.post_detail, name="post"),
    path("s/<slug:slug>/p/<int:post_id>/edit/", posts.edit_post, name="edit_post"),
    path("s/<slug:slug>/p/<int:post_id>/images/<int:image_id>/", posts.post_image, name="post_image"),
    path("s/<slug:slug>/p/<int:post_id>/delete/", posts.delete_post, name="delete_post"),
    path("s/<slug:slug>/p/<int:post_id>/like/", posts.like, name="like"),
    path("s/<slug:slug>/p/<int:post_id>/pin/", posts.pin, name="pin"),
    path("s/<slug:slug>/p/<int:post_id>/comments/", posts.add_comment, name="add_comment"),
    path("s/<slug:slug>/c/<int:comment_id>/edit/", posts.edit_comment, name="edit_comment"),
    path("s/<slug:slug>/c/<int:comment_id>/delete/", posts.delete_comment, name="delete_comment"),
]
