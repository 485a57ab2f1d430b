"""Rollups: lead counts and value sums kept per group by PostgreSQL triggers (see ``rollup_sql``).

One row per (organization, pipeline, stage, status, source, assignee, day of
creation in UTC). A lead write adds its deltas to its group's row in the same
transaction, whoever wrote it (API, pages, admin, bulk, imports, rules, raw
SQL), so a report reads a few rows per group instead of every lead.
"""

from django.db import models


class LeadRollup(models.Model):
    organization_id = models.CharField(max_length=30)
    pipeline_id = models.CharField(max_length=35)
    stage_id = models.CharField(max_length=32)
    status = models.CharField(max_length=10)
    source = models.CharField(max_length=100, null=True)
    assignee_id = models.CharField(max_length=31, null=True)
    created_day = models.DateField()
    lead_count = models.BigIntegerField(default=0)
    valued_count = models.BigIntegerField(default=0)
    value_total = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        indexes = [
            models.Index(fields=["organization_id", "pipeline_id", "created_day"], name="rollup_org_pipe_day_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.stage_id}/{self.status}/{self.created_day}: {self.lead_count}"
