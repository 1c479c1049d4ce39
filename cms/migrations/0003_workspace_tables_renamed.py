"""First step of moving Workspace and WorkspaceMembership to the workspaces app.

The tables are renamed (cms_workspace -> workspaces_workspace, cms_workspacemembership
-> workspaces_workspacemembership) instead of pinning the old names with
``Meta.db_table``: a table named after an app that no longer owns it would mislead
everyone reading the database, forever. The rename keeps every row and id: on
PostgreSQL it is a catalogue change (foreign keys follow the table's OID, nothing is
rewritten), on SQLite >= 3.26 ALTER TABLE RENAME also rewrites the references of the
tables pointing at it. Constraint, index and sequence names keep their old ``cms_``
prefix; Django looks those up by introspection when it alters them, so nothing
depends on their names.

The models themselves leave cms's migration state in 0004, after
``workspaces.0001_initial`` has taken them over and every foreign key points there.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cms', '0002_initial'),
    ]

    operations = [
        migrations.AlterModelTable(name='workspace', table='workspaces_workspace'),
        migrations.AlterModelTable(
            name='workspacemembership', table='workspaces_workspacemembership'
        ),
    ]
