"""Admin of the social inbox: accounts, posts, conversations and messages.

Every member works the inbox (as in the API); deleting its rows takes a MANAGER or up.
"""

from django.contrib import admin
from django.db import models

from vchata.tenancy.admin import OrgScopedAdmin, ScopedInline
from vchata.tenancy.permissions import Action

from ..models import ContentPost, Conversation, Message, SocialAccount
from .common import ORG_FILTER, admin_link


@admin.register(SocialAccount)
class SocialAccountAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    list_display = ("name", "platform", "platform_id", "organization", "created_at")
    list_filter = ("platform", ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    search_fields = ("name", "platform_id", "=id")
    search_help_text = "Name, platform id or exact account id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")


@admin.register(ContentPost)
class ContentPostAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    list_display = ("__str__", "social_account", "platform_post_id", "organization", "created_at")
    list_filter = (("social_account", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("social_account", "organization")
    search_fields = ("content", "platform_post_id", "url", "=id")
    search_help_text = "Content, platform post id, URL or exact post id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization", "social_account")
    readonly_fields = ("id", "created_at", "updated_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class MessageInline(ScopedInline):
    model = Message
    fields = ("sent_at", "direction", "text")
    ordering = ("sent_at", "id")


@admin.register(Conversation)
class ConversationAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    list_display = (
        "participant_name",
        "participant_handle",
        "social_account",
        "lead_link",
        "organization",
        "created_at",
    )
    list_filter = (("social_account", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("social_account", "organization", "lead__contact")
    search_fields = ("participant_name", "participant_handle", "participant_email", "participant_phone", "=id")
    search_help_text = "Participant name, handle, email or phone, or exact conversation id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization", "social_account", "content_post")
    readonly_fields = ("id", "lead_link", "created_at", "updated_at")
    inlines = [MessageInline]

    @admin.display(description="lead")
    def lead_link(self, obj):
        lead = getattr(obj, "lead", None)
        return admin_link(lead, f"{lead.contact.name} ({lead.status})") if lead else "not converted"


@admin.register(Message)
class MessageAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    org_lookup = "conversation__organization"
    list_display = ("sent_at", "direction", "text_start", "conversation")
    list_filter = ("direction", ("conversation__organization", admin.RelatedOnlyFieldListFilter), "sent_at")
    list_select_related = ("conversation",)
    search_fields = ("text", "=conversation__id", "conversation__participant_name")
    search_help_text = "Text, participant name or exact conversation id"
    date_hierarchy = "sent_at"
    autocomplete_fields = ("conversation",)

    @admin.display(description="text")
    def text_start(self, obj):
        return obj.text[:80]
