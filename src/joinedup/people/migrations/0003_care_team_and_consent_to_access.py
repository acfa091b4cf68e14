"""The care team and consents are access's models now (joinedup.access.policy reads them).

Only Django's record of which app owns them changes: the tables keep their names and rows,
so nothing is copied or lost (access 0007 takes them over).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_careteammember_reason"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CareTeamMember"),
                migrations.DeleteModel(name="Consent"),
            ],
            database_operations=[],
        ),
    ]
