# The narrowest rollups (by org and source, by org and campaign key, by stage; time in stage by
# stage) for a dashboard without filters: tables, functions and triggers reinstalled, then counted.

from django.db import migrations

from analytics import rollup_sql

from ._install import count_after_install


class Migration(migrations.Migration):
    dependencies = [("analytics", "0005_weighted_value")]

    # Reversing 0003 drops these tables with the others.
    operations = [count_after_install(rollup_sql.NARROW)]
