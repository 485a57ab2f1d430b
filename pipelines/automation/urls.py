from django.urls import path

from . import api

RULES = "pipelines/<org_id:org_id>/<pipeline_id:pipeline_id>/rules"

urlpatterns = [
    path(RULES, api.RulesView.as_view(), name="pipeline-rules"),
    path(f"{RULES}/<rule_id:rule_id>", api.RuleView.as_view(), name="pipeline-rule"),
    path(f"{RULES}/<rule_id:rule_id>/preview", api.RulePreviewView.as_view(), name="pipeline-rule-preview"),
]
