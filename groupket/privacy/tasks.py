"""Background work of the privacy engine. Tasks take ids, never personal data (core.tasks).

Each task calls delivery code (privacy.delivery) only; services import this module to enqueue.
"""

from celery import shared_task

from groupket.core.tasks import MailTask
from groupket.privacy.delivery import disclosures, exports
from groupket.privacy.delivery.notices import send_mass_notice


# Retried from where it stopped: each recipient is recorded before their mail goes out.
@shared_task(base=MailTask)
def send_mass_notice_task(notice_id: int) -> int:
    return send_mass_notice(notice_id=notice_id)


@shared_task(base=MailTask)
def send_disclosure_notice(disclosure_id: int) -> None:
    disclosures.deliver_disclosure_notice(disclosure_id=disclosure_id)


@shared_task
def build_data_export(export_id: int, language: str) -> None:
    # The language code picks the archive's labels; it is the request's, not an item about the member.
    exports.build_export(export_id=export_id, language=language)
