# A narrower lead rollup (pipeline, source, assignee) for stats and sources without a date filter:
# the idempotent install adds its table, function and the lead trigger that feeds it; then each org's
# rows are counted.

from django.db import migrations

from analytics import rollup_sql

from ._install import count_after_install


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_coarse_rollups")]

    # Reversing 0003 drops this table with the others.
    operations = [count_after_install([rollup_sql.SOURCE_TOTALS])]
