"""State changes of the privacy engine, one module per part; the common ones are re-exported here."""

from groupket.privacy.guard import require
from groupket.privacy.services.ledger import record_consent, record_destruction

__all__ = ["record_consent", "record_destruction", "require"]
