from django.urls import include, path

urlpatterns = [
    # /pipelines/{orgId}/{pipelineId}/rules… (automation) live in their own module.
    path("", include("pipelines.rule_urls")),
]
