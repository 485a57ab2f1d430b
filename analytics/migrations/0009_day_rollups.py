# Two rollups by day: figures by owner alone (a date range's stats and leads created per week read
# tens of rows a day instead of hundreds) and conversions by day of conversion (converted per week):
# tables, functions and triggers reinstalled, then counted.

from django.db import migrations

from analytics import rollup_sql

from ._install import count_after_install


class Migration(migrations.Migration):
    dependencies = [("analytics", "0008_sales_totals")]

    # Reversing 0003 drops these tables with the others.
    operations = [count_after_install(rollup_sql.DAY_ROLLUPS)]
