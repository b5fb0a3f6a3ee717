"""On PostgreSQL, retained records move to a table partitioned by destruction month (privacy.retained_partitions).

The rows are copied aside, the table is made again partitioned with the same columns, index and constraint
names (the unique record_ref and the primary key gain destroy_on, as PostgreSQL requires), one partition per
month of an existing key or record, and the rows are copied back. On SQLite nothing changes. The model state
is unchanged: the partitioning is below what Django describes.
"""

from django.db import migrations

TABLE = "privacy_retainedrecord"
COLUMNS = "id, record_ref, subject_ref, category, basis, destroy_on, payload, created_at, retention_key_id"
CREATE = """
CREATE TABLE privacy_retainedrecord (
    id bigint NOT NULL DEFAULT nextval('privacy_retainedrecord_id_seq'),
    record_ref uuid NOT NULL,
    subject_ref uuid NOT NULL,
    category varchar(60) NOT NULL,
    basis varchar(200) NOT NULL,
    destroy_on date NOT NULL,
    payload bytea NOT NULL,
    created_at timestamp with time zone NOT NULL,
    retention_key_id bigint NOT NULL
) {partitioning}
"""


def _definitions(cursor):
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
        [TABLE],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s"
        " AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [TABLE, TABLE],
    )
    indexes = [row[0].replace(" ON ONLY ", " ON ", 1) for row in cursor.fetchall()]
    return constraints, indexes


def _rebuild(schema_editor, *, partition: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        constraints, indexes = _definitions(cursor)
        cursor.execute("SELECT coalesce(max(id), 0) FROM privacy_retainedrecord")
        last_id = cursor.fetchone()[0]
        cursor.execute(f"CREATE TABLE privacy_retainedrecord_moving AS SELECT {COLUMNS} FROM {TABLE}")  # noqa: S608
        cursor.execute(f"DROP TABLE {TABLE}")
        cursor.execute("DROP SEQUENCE IF EXISTS privacy_retainedrecord_id_seq")
        cursor.execute("CREATE SEQUENCE privacy_retainedrecord_id_seq AS bigint")
        cursor.execute(CREATE.format(partitioning="PARTITION BY RANGE (destroy_on)" if partition else ""))
        cursor.execute("ALTER SEQUENCE privacy_retainedrecord_id_seq OWNED BY privacy_retainedrecord.id")
        if last_id:
            cursor.execute("SELECT setval('privacy_retainedrecord_id_seq', %s)", [last_id])
        if partition:
            cursor.execute(
                "SELECT month FROM privacy_retentionkey UNION"
                " SELECT to_char(destroy_on, 'YYYY-MM') FROM privacy_retainedrecord_moving"
            )
            for (month,) in cursor.fetchall():
                year, number = (int(part) for part in month.split("-"))
                after = f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"
                cursor.execute(
                    f"CREATE TABLE {TABLE}_{year:04d}_{number:02d} PARTITION OF {TABLE}"
                    f" FOR VALUES FROM ('{year:04d}-{number:02d}-01') TO ('{after}')"
                )
        for definition in indexes:
            cursor.execute(definition)
        for name, kind, definition in constraints:
            if kind in ("p", "u"):
                columns = "record_ref" if kind == "u" else "id"
                definition = f"{'PRIMARY KEY' if kind == 'p' else 'UNIQUE'} ({columns}{', destroy_on' * partition})"
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM privacy_retainedrecord_moving")  # noqa: S608
        cursor.execute("DROP TABLE privacy_retainedrecord_moving")


def partition(apps, schema_editor):
    _rebuild(schema_editor, partition=True)


def unpartition(apps, schema_editor):
    # Back to one table; partitions vanish with it. A record_ref repeated across months would fail here.
    _rebuild(schema_editor, partition=False)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_privacy_policy_v2"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
