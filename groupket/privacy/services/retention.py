"""Records kept after withdrawal: copied apart, sealed per month, extended only on a new basis, swept (P8.2-P8.5).

Which records are kept, for how long and why is declared in the inventory
(`Item.kept_after_withdrawal`, inventory.RETENTION_RULES); an app with records to
keep only declares its items, and Unregister copies them here.
"""

import base64
import functools
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groupket.core.actors import Actor, acting, actor_label, actor_ref
from groupket.core.crypto import open_sealed, seal
from groupket.core.fields import BlindIndexField, EncryptedField
from groupket.core.ids import time_ordered_uuid
from groupket.privacy import inventory, retained_partitions
from groupket.privacy.models import ConsentEvent, DestructionLog, RetainedRecord, RetentionExtension, RetentionKey
from groupket.privacy.retention_keys import month_of, open_month_key, open_month_keys

SWEEP_ROWS_METHOD = "retained rows deleted"
SWEEP_KEYS_METHOD = "retention month key destroyed"
KEYS_CATEGORY = "retention month keys"
CONSENT_BASIS = "new consent of the former member"
# P8.3: the only reasons a kept record may be opened.
READ_PURPOSES = frozenset({"dispute", "settlement", "delivery_confirmation", "legal"})
_TEXT_LIMIT = 200  # RetainedRecord.basis, RetentionExtension.basis/reference, DestructionLog.basis
_SWEEP_CACHE_KIB = -256 * 1024  # negative: a size in KiB, not in pages


class RetentionExtensionRefused(Exception):
    """An extension without a valid basis (P8.4); nothing was changed. The message is meant for people."""


class RetainedReadRefused(PermissionDenied):
    """A kept record asked for with a purpose the law does not allow (P8.3)."""


# --- What the inventory keeps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _KeptModel:
    model: type[models.Model]
    rule: inventory.RetentionRule
    member_field: str
    fields: tuple[str, ...]


def _member_field(model: type[models.Model]) -> str:
    if model._meta.label == settings.AUTH_USER_MODEL:
        return "pk"
    for field in model._meta.concrete_fields:
        if field.many_to_one and field.related_model._meta.label == settings.AUTH_USER_MODEL:
            return field.name
    raise ImproperlyConfigured(f"{model._meta.label} keeps records after withdrawal but has no member foreign key")


def _describe(label: str, rule: inventory.RetentionRule, kept: set[str], declared: set[str]) -> _KeptModel:
    """The payload is the kept items plus the row's non-personal columns (dates, flags); never links or indexes."""
    model = apps.get_model(label)

    def in_payload(field: models.Field) -> bool:
        if field.name in kept:
            return True
        personal = isinstance(field, EncryptedField | BlindIndexField) or field.name in declared
        return not (personal or field.primary_key or field.is_relation)

    fields = tuple(field.name for field in model._meta.concrete_fields if in_payload(field))
    return _KeptModel(model=model, rule=rule, member_field=_member_field(model), fields=fields)


@functools.cache
def _kept_models() -> tuple[_KeptModel, ...]:
    declared: dict[str, set[str]] = {}
    kept: dict[str, tuple[inventory.RetentionRule, set[str]]] = {}
    for item in inventory.ITEMS:
        label, field = item.path.model, item.path.field
        declared.setdefault(label, set()).add(field)
        rule = item.kept_after_withdrawal
        if rule is None:
            continue
        if kept.setdefault(label, (rule, set()))[0] != rule:
            raise ImproperlyConfigured(f"the items of {label} declare more than one retention rule")
        kept[label][1].add(field)
    return tuple(_describe(label, rule, fields, declared[label]) for label, (rule, fields) in kept.items())


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    # Full precision: DjangoJSONEncoder would cut times to milliseconds.
    return value.isoformat() if isinstance(value, date) else value


def _record_date(value: date | datetime) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _rows_in_period(kept: _KeptModel, member_pk: int, today: date) -> list[tuple[date, bytes]]:
    """(destruction date, JSON payload) of each of the member's records still within its period."""
    rule, anchor = kept.rule, kept.model._meta.get_field(kept.rule.counted_from)
    earliest: date | datetime = rule.earliest_kept(today)
    if isinstance(anchor, models.DateTimeField):
        earliest = timezone.make_aware(datetime.combine(earliest, time.min))
    rows = kept.model._default_manager.filter(**{kept.member_field: member_pk, f"{anchor.name}__gte": earliest})
    kept_rows = []
    for row in rows.order_by(anchor.name, "pk"):
        destroy_on = rule.keep_until(_record_date(getattr(row, anchor.name)))
        if destroy_on >= today:
            values = {name: _jsonable(getattr(row, name)) for name in kept.fields}
            kept_rows.append((destroy_on, json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True).encode()))
    return kept_rows


# --- Withdrawal ------------------------------------------------------------------------------------------------


def retain_records_for_withdrawal(*, member: AbstractBaseUser, today: date | None = None) -> dict[str, int]:
    """Copy the member's records a law keeps into retained records, each sealed under its month's key (P8.2).

    Called inside Unregister's transaction before the member's key is destroyed. It reads only
    records still within their period, so its cost follows what is kept, not all the member holds.
    Returns how many were kept, by category.
    """
    today = today or timezone.localdate()
    subject_ref = time_ordered_uuid()  # ties one former member's records together without naming them
    with transaction.atomic():
        kept = [(k.rule, day, payload) for k in _kept_models() for day, payload in _rows_in_period(k, member.pk, today)]
        if not kept:
            return {}
        month_keys = open_month_keys({month_of(day) for _, day, _ in kept})
        records = []
        for rule, destroy_on, payload in kept:
            key_row, key = month_keys[month_of(destroy_on)]
            record_ref = time_ordered_uuid()
            records.append(
                RetainedRecord(
                    record_ref=record_ref,
                    subject_ref=subject_ref,
                    retention_key=key_row,
                    category=rule.category,
                    basis=rule.stored_basis[:_TEXT_LIMIT],
                    destroy_on=destroy_on,
                    payload=seal(key, payload, aad=record_ref.bytes),
                )
            )
        RetainedRecord.objects.bulk_create(records, batch_size=500)
    return dict(Counter(rule.category for rule, _, _ in kept))


# --- The daily sweep -----------------------------------------------------------------------------------------


def _destroy_empty_past_month_keys(today: date) -> list[str]:
    # A month is past once it is not the current one; records are never added to a past month.
    # One probe per past key (a day has none or one, the first sweep after an outage a few), not one NOT EXISTS:
    # PostgreSQL plans that as an anti-join hashing the key of every record (seconds beside 10,000,000), and a
    # correlated probe as a scan it expects to stop early, where a probe for one key is an index lookup.
    past = RetentionKey.objects.filter(month__lt=month_of(today)).values_list("pk", "month")
    months = sorted(month for pk, month in past if not RetainedRecord.objects.filter(retention_key_id=pk).exists())
    if months:
        RetentionKey.objects.filter(month__in=months).delete()
    return months


@contextmanager
def _roomy_page_cache() -> Iterator[None]:
    """On SQLite, let this connection cache up to 256 MB of pages while it sweeps, then shrink back.

    The default 2 MB makes a large delete spill and re-read the index pages it is rewriting
    (300,000 records: about 6 s instead of 2 s). The cache grows only as far as the sweep needs.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size={_SWEEP_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={previous}")


def _delete_expired_records(today: date) -> Counter[tuple[str, str]]:
    """Delete every record due before today in one statement; how many went, by (category, basis).

    Raw SQL because Django's delete cannot say what it deleted, and counting first would read every
    row twice; PostgreSQL counts the deleted rows itself, SQLite (no DELETE in a WITH) returns them. Nothing
    refers to a retained record and the model has no delete signals, so no cascade or signal is skipped.
    DELETE ... RETURNING: SQLite 3.35+, PostgreSQL.
    """
    table = connection.ops.quote_name(RetainedRecord._meta.db_table)
    day = [connection.ops.adapt_datefield_value(today)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Counted in the database: a million deleted rows are not sent to Python to be counted there.
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} WHERE destroy_on < %s RETURNING category, basis) "  # noqa: S608
                "SELECT category, basis, count(*) FROM gone GROUP BY category, basis",
                day,
            )
            return Counter({(category, basis): count for category, basis, count in cursor})
        cursor.execute(f"DELETE FROM {table} WHERE destroy_on < %s RETURNING category, basis", day)  # noqa: S608
        return Counter(tuple(row) for row in cursor)


def _sweep_logs(deleted: Counter[tuple[str, str]], months: list[str]) -> list[DestructionLog]:
    logs = [
        DestructionLog(
            category=category,
            count=count,
            method=SWEEP_ROWS_METHOD,
            basis=f"retention period ended ({basis})"[:_TEXT_LIMIT],
        )
        for (category, basis), count in sorted(deleted.items())
    ]
    if months:
        basis = f"every record due in {', '.join(months)} was destroyed"[:_TEXT_LIMIT]
        logs.append(DestructionLog(category=KEYS_CATEGORY, count=len(months), method=SWEEP_KEYS_METHOD, basis=basis))
    return logs


def sweep_retained_records(*, today: date | None = None) -> int:
    """Destroy the retained records past their date and the keys of past months left empty; how many records (P8.5).

    On PostgreSQL the partition of each past month is dropped whole (privacy.retained_partitions), then the
    current month's due records are deleted in one statement; elsewhere that one statement does it all. Then
    the month keys: every copy sealed under a destroyed key (a WAL, a backup) can no longer be opened. The log
    says what, how many, how and why; never the data.
    """
    today = today or timezone.localdate()
    with _roomy_page_cache(), transaction.atomic():
        dropped: Counter[tuple[str, str]] = Counter()
        if retained_partitions.partitioned():
            dropped = retained_partitions.drop_past_month_partitions(month_of(today))
        deleted = _delete_expired_records(today)
        months = _destroy_empty_past_month_keys(today)
        DestructionLog.objects.bulk_create(_sweep_logs(dropped + deleted, months))
    if deleted:
        _reclaim_swept_space(today)
    return sum(dropped.values()) + sum(deleted.values())


def make_upcoming_retained_partitions(*, today: date | None = None) -> int:
    """Daily (PostgreSQL): the partitions of every month a record retained today may be due in, each made in its
    own short transaction, so that a withdrawal's records find theirs and no Unregister waits on the lock that
    making a partition takes on the whole table; how many were made."""
    today = today or timezone.localdate()
    # The latest destruction date of a record retained today, by the rules' own reckoning; a month more for the
    # records retained before the job runs again.
    last = max(rule.keep_until(today) for rule in inventory.RETENTION_RULES.values())
    months = (last.year - today.year) * 12 + last.month - today.month
    return retained_partitions.make_month_partitions(retained_partitions.months_ahead(today, months + 1))


def _reclaim_swept_space(today: date) -> None:
    """On PostgreSQL, VACUUM what rows were deleted from once the sweep has committed, so new records reuse it.

    A deleted row's space is reusable only after a vacuum. Autovacuum cannot be relied on for it: it may be off
    (it is on the CI machine), and at its default threshold (20% of the table dead) a table of 10,000,000
    records waits for 2,000,000 swept rows, growing meanwhile (bench/retention_sweep.py measures both). A plain
    VACUUM takes no lock that stops reads or writes. Partitioned, rows are deleted only from the current
    month's partition (past months were dropped whole), so only it is vacuumed. Inside an outer transaction
    (a test) it cannot run and is left out; SQLite reuses freed pages by itself (secure_delete zeroes them).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    table = RetainedRecord._meta.db_table
    if retained_partitions.partitioned():
        table = retained_partitions.month_partitions().get(month_of(today))
        if table is None:
            return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")


# --- Extension (P8.4) ---------------------------------------------------------------------------------------


def _parse_ref(record_ref: uuid.UUID | str) -> uuid.UUID | None:
    try:
        return record_ref if isinstance(record_ref, uuid.UUID) else uuid.UUID(str(record_ref))
    except ValueError:
        return None


def _consent_basis(basis: str, reference: str, consent_event_id: object) -> tuple[str, str]:
    if consent_event_id is None:
        raise RetentionExtensionRefused(_("An extension on consent needs the consent event it rests on."))
    try:
        event_id = int(consent_event_id)
    except (TypeError, ValueError):
        event_id = None
    if event_id is None or not ConsentEvent.objects.filter(pk=event_id, granted=True).exists():
        raise RetentionExtensionRefused(_("That consent event does not exist or does not grant consent."))
    noted = f"consent event {event_id}" + (f"; {reference}" if reference else "")
    return basis or CONSENT_BASIS, noted


def _checked_basis(*, basis_kind: str, basis: str, reference: str, consent_event_id: object) -> tuple[str, str]:
    """The basis and reference to record, or a refusal saying what is missing."""
    basis, reference = (basis or "").strip(), (reference or "").strip()
    if len(basis) > _TEXT_LIMIT or len(reference) > _TEXT_LIMIT:
        raise RetentionExtensionRefused(_("The basis and the reference are limited to 200 characters each."))
    if basis_kind == RetentionExtension.CONSENT:
        basis, reference = _consent_basis(basis, reference, consent_event_id)
        if len(reference) > _TEXT_LIMIT:
            raise RetentionExtensionRefused(_("The basis and the reference are limited to 200 characters each."))
        return basis, reference
    if basis_kind != RetentionExtension.LAW:
        raise RetentionExtensionRefused(
            _("An extension needs a basis: a new consent of the former member, or a new legal basis.")
        )
    if not basis:
        raise RetentionExtensionRefused(_("An extension on a legal basis needs the law and article that require it."))
    if not reference:
        raise RetentionExtensionRefused(_("An extension on a legal basis needs a reference, such as the case number."))
    return basis, reference


def _reseal(record: RetainedRecord, new_destroy_on: date) -> None:
    """Move the record under the key of its new month: its old copies die with the old month's key."""
    aad = record.record_ref.bytes
    payload = open_sealed(open_month_key(record.retention_key), bytes(record.payload), aad=aad)
    month = month_of(new_destroy_on)
    key_row, key = open_month_keys({month})[month]
    record.retention_key, record.destroy_on, record.payload = key_row, new_destroy_on, seal(key, payload, aad=aad)


def _locked_record(record_ref: uuid.UUID | str) -> RetainedRecord:
    ref = _parse_ref(record_ref)
    held = RetainedRecord.objects.select_for_update(of=("self",)).select_related("retention_key")
    # On PostgreSQL record_ref is unique only with destroy_on (the partition key): should two rows ever share one,
    # neither is chosen for the other.
    found = list(held.filter(record_ref=ref, destroy_on__gte=timezone.localdate())[:2]) if ref else []
    if len(found) != 1:
        raise RetentionExtensionRefused(_("No retained record with that reference is held."))
    return found[0]


@acting("actor", system=True)
def extend_retention(
    *,
    actor: Actor,
    record_ref: uuid.UUID | str,
    new_destroy_on: date,
    basis_kind: str,
    basis: str,
    reference: str,
    consent_event_id: int | None = None,
) -> RetentionExtension:
    """Keep one retained record longer on a new consent or a new legal basis, recorded with it (P8.4)."""
    basis, reference = _checked_basis(
        basis_kind=basis_kind, basis=basis, reference=reference, consent_event_id=consent_event_id
    )
    if not isinstance(new_destroy_on, date) or isinstance(new_destroy_on, datetime):
        raise RetentionExtensionRefused(_("The new destruction date must be a date."))
    with transaction.atomic():
        record = _locked_record(record_ref)
        old_destroy_on = record.destroy_on
        if new_destroy_on <= old_destroy_on:
            raise RetentionExtensionRefused(_("The new destruction date must be later than the current one."))
        _reseal(record, new_destroy_on)
        record.basis = basis
        record.save(update_fields=["retention_key", "destroy_on", "payload", "basis"])
        return RetentionExtension.objects.create(
            record_ref=record.record_ref,
            category=record.category,
            basis_kind=basis_kind,
            basis=basis,
            reference=reference,
            old_destroy_on=old_destroy_on,
            new_destroy_on=new_destroy_on,
            extended_by_ref=actor_ref(actor),
            extended_by_operator=actor_label(actor),
        )


# --- Reading (P8.3) -----------------------------------------------------------------------------------------


def read_retained_record(*, record_ref: uuid.UUID | str, purpose: str) -> dict[str, Any]:
    """Open one kept record for one of the purposes the law allows.

    The dedicated staff role and the read log of P8.3 come with the staff console, which must
    check the role and write the log before calling this.
    """
    if purpose not in READ_PURPOSES:
        raise RetainedReadRefused(
            _("Kept records may be opened only for a dispute, a settlement, a delivery confirmation or the law.")
        )
    ref = _parse_ref(record_ref)
    if ref is None:
        raise RetainedRecord.DoesNotExist("no retained record with that reference")
    record = RetainedRecord.objects.select_related("retention_key").get(
        record_ref=ref, destroy_on__gte=timezone.localdate()
    )
    payload = open_sealed(open_month_key(record.retention_key), bytes(record.payload), aad=ref.bytes)
    return {
        "record_ref": str(record.record_ref),
        "subject_ref": str(record.subject_ref),
        "category": record.category,
        "basis": record.basis,
        "destroy_on": record.destroy_on,
        "values": json.loads(payload),
    }
