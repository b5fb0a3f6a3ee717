"""Models of the privacy engine, one module per part."""

from groupket.privacy.models.destruction import DestructionLog
from groupket.privacy.models.disclosures import Disclosure
from groupket.privacy.models.documents import ConsentEvent, PolicyDocument
from groupket.privacy.models.exports import DataExport
from groupket.privacy.models.notices import MassNotice, NoticeDelivery
from groupket.privacy.models.retention import RetainedRecord, RetentionExtension, RetentionKey

__all__ = [
    "ConsentEvent",
    "DataExport",
    "DestructionLog",
    "Disclosure",
    "MassNotice",
    "NoticeDelivery",
    "PolicyDocument",
    "RetainedRecord",
    "RetentionExtension",
    "RetentionKey",
]
