"""Disputes on group orders (issue 12, section 5): the buyer opens one with text and up to 3 checked photos; the
organiser and a billing handler answer. Kept 3 years, also after the buyer unregisters (P8.2: the inventory's
complaint and dispute records, read then only by the records custodian, each read logged)."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from groupket.accounts.photos import ProfilePhoto
from groupket.core.actors import acting
from groupket.orders import permissions
from groupket.orders.dispute_uploads import MAX_IMAGES
from groupket.orders.models import Dispute, DisputeAnswer, DisputeImage, GroupOrder, OrderLine
from groupket.orders.services import history
from groupket.orders.services.group_orders import locked_order
from groupket.spaces.selectors import membership_of
from groupket.staff.permissions import check_action
from groupket.staff.roles import ANSWER_ORDER_DISPUTES
from groupket.staff.selectors import active_role_slugs
from groupket.staff.services import access_log

DISPUTE_ITEMS = ["order_dispute_text", "order_dispute_images", "order_dispute_answers"]


def open_dispute(*, actor: AbstractBaseUser, line: OrderLine, text: str, images: list[ProfilePhoto]) -> Dispute:
    if len(images) > MAX_IMAGES:
        raise ValueError(f"a dispute has at most {MAX_IMAGES} images, not {len(images)}")
    with transaction.atomic():
        order = locked_order(line.order_id)
        line = OrderLine.objects.select_related("order").get(pk=line.pk)
        permissions.check_can_open_dispute(line, actor.pk)
        key = actor.data_key_id
        dispute = Dispute.objects.create(buyer=actor, line=line, data_key_id=key, number=line.number, text=text)
        for image in images:
            DisputeImage.objects.create(
                buyer=actor, dispute=dispute, data_key_id=key, content=image.data, content_type=image.content_type
            )
        history.record(order, actor=actor, action=history.DISPUTE_OPENED, line=line, images=len(images))
    return dispute


def _answer(dispute: Dispute, *, author: AbstractBaseUser, role: str, text: str) -> DisputeAnswer:
    answer = DisputeAnswer.objects.create(
        buyer_id=dispute.buyer_id, dispute=dispute, author=author, data_key_id=dispute.data_key_id, role=role, text=text
    )
    if dispute.status != Dispute.ANSWERED:
        dispute.status = Dispute.ANSWERED
        dispute.save(update_fields=["status"])
    return answer


def answer_as_organiser(*, actor: AbstractBaseUser, order: GroupOrder, dispute_id: int, text: str) -> DisputeAnswer:
    with transaction.atomic():
        order = locked_order(order)
        membership = membership_of(order.space, actor)
        permissions.check_can_answer_dispute(
            order, actor.pk, runs_space=membership is not None and membership.runs_space
        )
        dispute = Dispute.objects.select_for_update().get(pk=dispute_id, line__order=order)
        answer = _answer(dispute, author=actor, role=DisputeAnswer.ORGANISER, text=text)
        history.record(order, actor=actor, action=history.DISPUTE_ANSWERED, line=dispute.line, by="organiser")
    return answer


@acting("handler")
def read_dispute_as_billing(*, handler: AbstractBaseUser, dispute_id: int, ip_address: str | None) -> Dispute:
    """A billing handler opens a dispute: the read is logged in the access log in the same transaction (P7.8)."""
    check_action(active_role_slugs(handler.pk), ANSWER_ORDER_DISPUTES)
    with transaction.atomic():
        dispute = Dispute.objects.select_related("line__order__space").get(pk=dispute_id)
        access_log.log_member_view(
            staff=handler,
            member_id=dispute.buyer_id,
            items=DISPUTE_ITEMS,
            reason=access_log.DISPUTE,
            reference=f"dispute {dispute.pk}",
            ip_address=ip_address,
        )
    return dispute


@acting("handler")
def read_dispute_image_as_billing(
    *, handler: AbstractBaseUser, dispute_id: int, image_id: int, ip_address: str | None
) -> DisputeImage:
    """A billing handler is shown one photo of a dispute: each photo fetched is its own access-log row, as every
    other look at a member's personal items in the console is (P7.8). DisputeImage.DoesNotExist when the photo is
    not one of that dispute's."""
    check_action(active_role_slugs(handler.pk), ANSWER_ORDER_DISPUTES)
    with transaction.atomic():
        image = DisputeImage.objects.get(pk=image_id, dispute_id=dispute_id)
        access_log.log_member_view(
            staff=handler,
            member_id=image.buyer_id,
            items=["order_dispute_images"],
            reason=access_log.DISPUTE,
            reference=f"dispute {dispute_id} photo {image.pk}",
            ip_address=ip_address,
        )
    return image


@acting("handler")
def answer_as_billing(*, handler: AbstractBaseUser, dispute_id: int, text: str) -> DisputeAnswer:
    check_action(active_role_slugs(handler.pk), ANSWER_ORDER_DISPUTES)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("line").get(pk=dispute_id)
        order = locked_order(dispute.line.order_id)
        answer = _answer(dispute, author=handler, role=DisputeAnswer.BILLING, text=text)
        history.record(order, actor=handler, action=history.DISPUTE_ANSWERED, line=dispute.line, by="billing")
    return answer
