"""The org-owned model base, its queryset, and the one way to fetch a row of an org by id."""

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models

from vchata.exceptions import NotFound

if TYPE_CHECKING:
    from vchata.accounts.models import Organization

Row = TypeVar("Row", bound=models.Model)


class OrgQuerySet(models.QuerySet):
    def for_org(self, org: "Organization") -> Self:
        return self.filter(organization=org)


class OrgOwned(models.Model):
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True


def not_found_message(model: type[models.Model]) -> str:
    return f"{model._meta.verbose_name.capitalize()} not found or you don't have access"


def get_in_org(
    rows: "type[Row] | models.QuerySet[Row]", org: "Organization", pk, *, lock: bool = False, message: str = ""
) -> Row:
    """The row of ``org`` with this id, or ``NotFound`` ("Lead not found or you don't have access").

    ``rows`` is a model, or a queryset of one to narrow or shape the read
    (``Stage.objects.filter(pipeline=p)``, ``select_related(...)``); it is
    scoped to ``org`` here either way, so another org's row looks absent and
    a malformed id is a 404 too. ``lock`` reads it ``FOR UPDATE``: services
    that change a row lock it before reading what they change.
    """
    queryset = rows if isinstance(rows, models.QuerySet) else rows._default_manager.all()
    queryset = queryset.filter(organization=org)
    if lock:
        queryset = queryset.select_for_update()
    row = queryset.filter(pk=pk).first() if isinstance(pk, str) else None
    if row is None:
        raise NotFound(message or not_found_message(queryset.model))
    return row
