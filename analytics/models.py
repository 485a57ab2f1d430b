"""Analytics keeps no Django models: its rollup tables are made and kept by SQL (``rollup_sql``).

They are sums per group, written only by PostgreSQL triggers in the same
transaction as every lead, stage-visit and campaign write, and read with the
report's one query (``rollups.rolled``); an ORM model would only invite writes
that bypass the triggers.
"""
