"""Saved list views: each person's named filters+search+order per organization (``SavedView``)."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from vchata.exceptions import InvalidInput, NotFound

from .models import Organization, SavedView, User

MAX_NAME = SavedView._meta.get_field("name").max_length
MAX_QUERY = SavedView._meta.get_field("query").max_length
# Enough for any way of working; a bound keeps the list page's tabs (one query) small.
MAX_VIEWS = 30
VIEW_NOT_FOUND = "Saved view not found"


def saved_views(*, user: User, org: Organization) -> QuerySet[SavedView]:
    """The person's views in the org, by name (the unique index's order)."""
    return SavedView.objects.filter(user=user, organization=org).order_by("name", "id")


def save_view(*, user: User, org: Organization, name: str, query: str) -> SavedView:
    """Save ``query`` under ``name``; saving under a name already used replaces that view's query."""
    name = " ".join((name or "").split())
    if not name:
        raise InvalidInput(["Give the view a name."])
    if len(name) > MAX_NAME:
        raise InvalidInput([f"A view's name is at most {MAX_NAME} characters."])
    if len(query) > MAX_QUERY:
        raise InvalidInput([f"These filters are too long to save (at most {MAX_QUERY} characters)."])
    for _ in range(2):  # a second try only when a concurrent save of the same name won the race
        try:
            with transaction.atomic():
                view = saved_views(user=user, org=org).select_for_update().filter(name=name).first()
                if view is not None:
                    view.query = query
                    view.save(update_fields=["query"])
                    return view
                if saved_views(user=user, org=org).count() >= MAX_VIEWS:
                    raise InvalidInput([f"You can keep at most {MAX_VIEWS} saved views: delete one first."])
                return SavedView.objects.create(user=user, organization=org, name=name, query=query)
        except IntegrityError:
            continue
    raise InvalidInput(["That view was just saved elsewhere: try again."])


def delete_view(*, user: User, org: Organization, view_id: str) -> None:
    """Delete one of the person's own views; anyone else's (or none) is ``NotFound``."""
    deleted, _ = saved_views(user=user, org=org).filter(pk=view_id).delete()
    if not deleted:
        raise NotFound(VIEW_NOT_FOUND)
