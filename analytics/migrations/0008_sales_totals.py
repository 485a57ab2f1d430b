# The forecast's rollups (open leads by month of expected close date and stage) and win/loss's (closed
# leads by lost reason), by org, pipeline and assignee and by day: installed, then counted.

from django.db import migrations

from analytics import rollup_sql

from ._install import count_after_install


class Migration(migrations.Migration):
    dependencies = [("analytics", "0007_path_totals")]

    # Reversing 0003 drops these tables with the others.
    operations = [count_after_install(rollup_sql.SALES_ROLLUPS)]
