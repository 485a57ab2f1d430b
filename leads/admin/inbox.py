"""Admin of the social inbox: accounts, posts, conversations and messages, written through ``leads.services``.

Every member works the inbox (as in the API); deleting its rows takes a MANAGER or up.
"""

from django.contrib import admin
from django.db import models

from vchata.tenancy.admin import OrgScopedAdmin, ScopedInline, changed_values, show_saved
from vchata.tenancy.permissions import Action

from .. import services
from ..models import ContentPost, Conversation, Message, SocialAccount
from ..services.inbox_edits import CONTENT_POST_FIELDS, CONVERSATION_FIELDS, MESSAGE_FIELDS, SOCIAL_ACCOUNT_FIELDS
from .common import ORG_FILTER, admin_link


class InboxAdmin(OrgScopedAdmin):
    add_action = change_action = Action.WORK_LEADS
    delete_action = Action.MANAGE_LEADS
    # Set when the row hangs off another (a post on its account): that link stays once made.
    fixed_on_change: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *self.fixed_on_change) if obj is not None else self.readonly_fields


@admin.register(SocialAccount)
class SocialAccountAdmin(InboxAdmin):
    list_display = ("name", "platform", "platform_id", "organization", "created_at")
    list_filter = ("platform", ORG_FILTER, "created_at")
    list_select_related = ("organization",)
    search_fields = ("name", "platform_id", "=id")
    search_help_text = "Name, platform id or exact account id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization",)
    readonly_fields = ("id", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if change:
            row = services.update_social_account(
                org=obj.organization,
                actor=request.user,
                account_id=obj.pk,
                changes=changed_values(form, SOCIAL_ACCOUNT_FIELDS),
            )
        else:
            data = form.cleaned_data
            row = services.create_social_account(
                org=data["organization"], actor=request.user, **{name: data[name] for name in SOCIAL_ACCOUNT_FIELDS}
            )
        show_saved(obj, row)

    def delete_row(self, request, obj):
        services.delete_social_account(org=obj.organization, actor=request.user, account_id=obj.pk)


@admin.register(ContentPost)
class ContentPostAdmin(InboxAdmin):
    list_display = ("__str__", "social_account", "platform_post_id", "organization", "created_at")
    list_filter = (("social_account", admin.RelatedOnlyFieldListFilter), ORG_FILTER, "created_at")
    list_select_related = ("social_account", "organization")
    search_fields = ("content", "platform_post_id", "url", "=id")
    search_help_text = "Content, platform post id, URL or exact post id"
    date_hierarchy = "created_at"
    autocomplete_fields = ("organization", "social_account")
    readonly_fields = ("id", "created_at", "updated_at")
    fixed_on_change = ("social_account",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if change:
            row = services.update_content_post(
                org=obj.organization,
                actor=request.user,
                post_id=obj.pk,
                changes=changed_values(form, CONTENT_POST_FIELDS),
            )
        else:
            data = form.cleaned_data
            row = services.create_content_post(
                org=data["organization"],
                actor=request.user,
                social_account=data["social_account"],
                **{name: data[name] for name in CONTENT_POST_FIELDS},
            )
        show_saved(obj, row)

    def delete_row(self, request, obj):
        services.delete_content_post(org=obj.organization, actor=request.user, post_id=obj.pk)


class MessageInline(ScopedInline):
    model = Message
    fields = ("sent_at", "direction", "text")
    ordering = ("sent_at", "id")


def save_message_rows(request, conversation: Conversation, formset) -> None:
    """The conversation's message inline through the message services (a lead's timeline hears of new ones)."""
    org, actor = conversation.organization, request.user
    formset.save(commit=False)
    for message in formset.deleted_objects:
        services.delete_message(org=org, actor=actor, conversation_id=conversation.pk, message_id=message.pk)
    for message, fields in formset.changed_objects:
        changes = {name: getattr(message, name) for name in fields if name in MESSAGE_FIELDS}
        services.update_message(
            org=org, actor=actor, conversation_id=conversation.pk, message_id=message.pk, changes=changes
        )
    for message in formset.new_objects:
        added = services.add_message(
            org=org,
            actor=actor,
            conversation_id=conversation.pk,
            **{name: getattr(message, name) for name in MESSAGE_FIELDS},
        )
        message.pk = added.pk


@admin.register(Conversation)
class ConversationAdmin(InboxAdmin):
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
    fixed_on_change = ("social_account",)
    inlines = [MessageInline]

    @admin.display(description="lead")
    def lead_link(self, obj):
        lead = getattr(obj, "lead", None)
        return admin_link(lead, f"{lead.contact.name} ({lead.get_status_display()})") if lead else "not converted"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            row = services.update_conversation(
                org=obj.organization,
                actor=request.user,
                conversation_id=obj.pk,
                changes=changed_values(form, CONVERSATION_FIELDS),
            )
        else:
            row = services.create_conversation(
                org=data["organization"],
                actor=request.user,
                social_account=data["social_account"],
                content_post=data.get("content_post"),
                participant={key: data.get(f"participant_{key}") or "" for key in ("name", "handle", "email", "phone")},
            )
        show_saved(obj, row)

    def save_formset(self, request, form, formset, change):
        if formset.model is Message:
            save_message_rows(request, form.instance, formset)
        else:
            super().save_formset(request, form, formset, change)

    def delete_row(self, request, obj):
        services.delete_conversation(org=obj.organization, actor=request.user, conversation_id=obj.pk)


@admin.register(Message)
class MessageAdmin(InboxAdmin):
    org_lookup = "conversation__organization"
    list_display = ("sent_at", "direction", "text_start", "conversation")
    list_filter = ("direction", ("conversation__organization", admin.RelatedOnlyFieldListFilter), "sent_at")
    list_select_related = ("conversation",)
    search_fields = ("text", "=conversation__id", "conversation__participant_name")
    search_help_text = "Text, participant name or exact conversation id"
    date_hierarchy = "sent_at"
    autocomplete_fields = ("conversation",)
    fixed_on_change = ("conversation",)

    @admin.display(description="text")
    def text_start(self, obj):
        return obj.text[:80]

    def save_model(self, request, obj, form, change):
        conversation = form.cleaned_data["conversation"] if not change else obj.conversation
        org, actor = conversation.organization, request.user
        if change:
            row = services.update_message(
                org=org,
                actor=actor,
                conversation_id=conversation.pk,
                message_id=obj.pk,
                changes=changed_values(form, MESSAGE_FIELDS),
            )
        else:
            data = form.cleaned_data
            row = services.add_message(
                org=org, actor=actor, conversation_id=conversation.pk, **{name: data[name] for name in MESSAGE_FIELDS}
            )
        show_saved(obj, row)

    def delete_row(self, request, obj):
        conversation = obj.conversation
        services.delete_message(
            org=conversation.organization, actor=request.user, conversation_id=conversation.pk, message_id=obj.pk
        )
