"""A joined row's columns in a hand-written ``Model.objects.raw`` query, and the instance they make.

``aliased_columns(Stage, "t")`` selects every column of the table aliased ``t`` as ``t_<attname>``;
``raw`` sets those on each row it returns, and ``joined_instance(row, Stage, "t")`` takes them off
again as the ``Stage`` they are (None for a LEFT JOIN that matched nothing), as ``select_related``
would have built it, without compiling that query on every call.
"""

from functools import cache

from django.db.models import Model


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def aliased_columns(model: type[Model], alias: str) -> str:
    """``alias."column" AS alias_attname, …`` for every concrete field of ``model``."""
    return ", ".join(f'{alias}."{field.column}" AS {alias}_{field.attname}' for field in model._meta.concrete_fields)


def joined_instance(row: Model, model: type[Model], alias: str) -> Model | None:
    """The ``model`` that ``row`` carries under ``alias``, its attributes removed from ``row``; None if it has no id."""
    names = _attnames(model)
    values = [row.__dict__.pop(f"{alias}_{name}") for name in names]
    if values[names.index(model._meta.pk.attname)] is None:
        return None
    return model.from_db(row._state.db, list(names), values)
