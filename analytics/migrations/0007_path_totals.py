# The funnel's rollups (leads by the set of stages they visited, by org, pipeline and assignee, and
# by day) and each lead's counted set: tables, functions and triggers reinstalled, then counted.

from django.db import migrations

from analytics import rollup_sql

from ._install import count_after_install


class Migration(migrations.Migration):
    dependencies = [("analytics", "0006_narrow_rollups")]

    # Reversing 0003 drops these tables with the others.
    operations = [count_after_install(rollup_sql.PATH_ROLLUPS)]
