"""Tasks in pages: ``{{ task|task_label }}`` → "Call · tomorrow 10:00"; ``{{ task|task_overdue }}``."""

from django import template

from leads.task_display import due_label, is_overdue, type_label

register = template.Library()


@register.filter
def task_type(task) -> str:
    return type_label(task.type)


@register.filter
def task_due(task) -> str:
    return due_label(task.due_at)


@register.filter
def task_label(task) -> str:
    return f"{type_label(task.type)} · {due_label(task.due_at)}"


@register.filter
def task_overdue(task) -> bool:
    return is_overdue(task)
