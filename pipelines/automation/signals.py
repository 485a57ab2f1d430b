from pipelines.models import Stage

from .models import Rule


def pause_rules_losing_their_last_stage_condition(sender, instance: Stage, **kwargs) -> None:
    """Deactivate rules whose "current stage in …" condition names only the stage being deleted.

    Deleting the stage empties that set, and an empty set means "any stage":
    left active, such a rule would suddenly act on every lead of the pipeline.
    (A rule triggered by, or moving to, the stage is deleted with it.)
    """
    only_this_stage = Rule.objects.filter(condition_stages=instance).exclude(
        condition_stages__in=Stage.objects.exclude(pk=instance.pk)
    )
    Rule.objects.filter(pk__in=only_this_stage.values("pk"), is_active=True).update(is_active=False)
