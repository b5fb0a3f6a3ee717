from django.urls import path

from groupket.orders.views import buyer, cards, delivery, disputes, mine, organiser, photos

app_name = "orders"

urlpatterns = [
    path("me/orders/", mine.my_orders, name="my_orders"),
    path("me/orders/<str:number>/", mine.receipt, name="receipt"),
    path("me/orders/<str:number>/refund/", mine.refund_received, name="refund_received"),
    path("me/orders/<str:number>/card/", cards.pay_by_card, name="pay_by_card"),
    path("me/orders/<str:number>/card/success/", cards.card_success, name="card_success"),
    path("me/orders/<str:number>/card/fail/", cards.card_fail, name="card_fail"),
    path("orders/payments/webhook/", cards.payment_webhook, name="payment_webhook"),
    path("me/orders/<str:number>/received/", delivery.receipt_confirmed, name="receipt_confirmed"),
    path("me/orders/<str:number>/dispute/", disputes.my_dispute, name="my_dispute"),
    path("me/orders/<str:number>/dispute/images/<int:image_id>/", disputes.my_dispute_image, name="my_dispute_image"),
    path("s/<slug:slug>/orders/<int:order_id>/disputes/", disputes.order_disputes, name="order_disputes"),
    path(
        "s/<slug:slug>/orders/<int:order_id>/disputes/images/<int:image_id>/",
        disputes.order_dispute_image,
        name="order_dispute_image",
    ),
    path("staff/order-disputes/", disputes.staff_disputes, name="staff_disputes"),
    path("staff/order-disputes/<int:dispute_id>/", disputes.staff_dispute, name="staff_dispute"),
    path(
        "staff/order-disputes/<int:dispute_id>/images/<int:image_id>/",
        disputes.staff_dispute_image,
        name="staff_dispute_image",
    ),
    path("webhooks/partners/<slug:partner>/", delivery.partner_webhook, name="partner_webhook"),
    path("s/<slug:slug>/orders/<int:order_id>/deliveries/", delivery.deliveries, name="deliveries"),
    path("s/<slug:slug>/orders/<int:order_id>/deliveries/handoff.csv", delivery.handoff_csv, name="handoff_csv"),
    path("s/<slug:slug>/orders/", buyer.space_orders_page, name="space_orders"),
    path("s/<slug:slug>/orders/new/", organiser.new_order, name="new"),
    path("s/<slug:slug>/orders/<int:order_id>/", buyer.order_page, name="order"),
    path("s/<slug:slug>/orders/<int:order_id>/photos/", photos.edit_photos, name="edit_photos"),
    path("s/<slug:slug>/orders/<int:order_id>/photos/<int:photo_id>/", photos.photo, name="photo"),
    path("s/<slug:slug>/orders/<int:order_id>/photos/<int:photo_id>/small/", photos.thumbnail, name="thumbnail"),
    path("s/<slug:slug>/orders/<int:order_id>/checkout/", buyer.checkout, name="checkout"),
    path("s/<slug:slug>/orders/<int:order_id>/change/", buyer.change, name="change"),
    path("s/<slug:slug>/orders/<int:order_id>/cancel/", buyer.cancel, name="cancel"),
    path("s/<slug:slug>/orders/<int:order_id>/manage/", organiser.manage, name="manage"),
    path("s/<slug:slug>/orders/<int:order_id>/manage/received/", organiser.mark_received, name="mark_received"),
    path("s/<slug:slug>/orders/<int:order_id>/manage/refunded/", organiser.mark_refunded, name="mark_refunded"),
    path("s/<slug:slug>/orders/<int:order_id>/manage/pickup/", organiser.check_off_pickup, name="pickup"),
    path("s/<slug:slug>/orders/<int:order_id>/manage/state/", organiser.change_state, name="state"),
]
