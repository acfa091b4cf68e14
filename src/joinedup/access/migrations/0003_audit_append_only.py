"""The database itself refuses to change or delete an audit event.

Django's model refuses too, but raw SQL, a database shell or another program would not go
through Django; these triggers stop them on both SQLite and PostgreSQL. Only someone who
can drop a trigger (the database owner) can alter history, and verify_chain detects that.
TRUNCATE is not blocked on PostgreSQL: Django's test runner empties tables with it, and
verify_chain reports a truncated log through the chain head.
"""

from django.db import migrations

MESSAGE = "the audit log is append-only"

SQLITE_CREATE = [
    f"""
    CREATE TRIGGER access_auditevent_no_update BEFORE UPDATE ON access_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER access_auditevent_no_delete BEFORE DELETE ON access_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS access_auditevent_no_update",
    "DROP TRIGGER IF EXISTS access_auditevent_no_delete",
]

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION access_auditevent_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP;
    END
    $$
    """,
    """
    CREATE TRIGGER access_auditevent_append_only
    BEFORE UPDATE OR DELETE ON access_auditevent
    FOR EACH ROW EXECUTE FUNCTION access_auditevent_refuse_change()
    """,
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS access_auditevent_append_only ON access_auditevent",
    "DROP FUNCTION IF EXISTS access_auditevent_refuse_change()",
]

STATEMENTS = {
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
    "postgresql": (POSTGRESQL_CREATE, POSTGRESQL_DROP),
}


def _run(schema_editor, index):
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"no append-only audit triggers written for {vendor}")
    for statement in STATEMENTS[vendor][index]:
        schema_editor.execute(statement, params=None)  # PL/pgSQL uses % itself


def create_triggers(apps, schema_editor):
    _run(schema_editor, 0)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_audit_event")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
