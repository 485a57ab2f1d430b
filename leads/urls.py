"""Routes of the leads API (``/leads/{orgId}…``) and the conversations API (``/conversations/{orgId}…``).

No trailing slashes, as documented. The id converters only match well-formed
ids, so ``/leads/<org>/campaigns`` never reads as a lead id and a malformed
id is a 404. Analytics routes (``/leads/<org>/stats``, ``…/analytics/…``)
live in ``analytics.urls``, included before this module.
"""

from django.urls import path

from .api import campaigns, contacts, conversations, custom_fields, leads, lost_reasons, tasks

LEAD = "leads/<org_id:org_id>/<lead_id:lead_id>"
CONVERSATIONS = "conversations/<org_id:org_id>"

urlpatterns = [
    path("leads/<org_id:org_id>", leads.LeadsView.as_view(), name="leads"),
    path("leads/<org_id:org_id>/with-contact", leads.LeadWithContactView.as_view(), name="leads-with-contact"),
    path(
        "leads/<org_id:org_id>/convert-conversation",
        leads.ConvertConversationView.as_view(),
        name="leads-convert-conversation",
    ),
    path("leads/<org_id:org_id>/campaigns", campaigns.CampaignsView.as_view(), name="campaigns"),
    path(
        "leads/<org_id:org_id>/campaigns/<campaign_id:campaign_id>",
        campaigns.CampaignView.as_view(),
        name="campaign",
    ),
    path("leads/<org_id:org_id>/custom-fields", custom_fields.CustomFieldsView.as_view(), name="custom-fields"),
    path(
        "leads/<org_id:org_id>/custom-fields/<field_id:field_id>",
        custom_fields.CustomFieldView.as_view(),
        name="custom-field",
    ),
    path("leads/<org_id:org_id>/lost-reasons", lost_reasons.LostReasonsView.as_view(), name="lost-reasons"),
    path(
        "leads/<org_id:org_id>/lost-reasons/<reason_id:reason_id>",
        lost_reasons.LostReasonView.as_view(),
        name="lost-reason",
    ),
    path("leads/<org_id:org_id>/contacts", contacts.ContactsView.as_view(), name="contacts"),
    path("leads/<org_id:org_id>/contacts/<contact_id:contact_id>", contacts.ContactView.as_view(), name="contact"),
    path("leads/<org_id:org_id>/tasks", tasks.TasksView.as_view(), name="tasks"),
    path("leads/<org_id:org_id>/tasks/<task_id:task_id>", tasks.TaskView.as_view(), name="task"),
    path(LEAD, leads.LeadView.as_view(), name="lead"),
    path(f"{LEAD}/activities", leads.LeadActivitiesView.as_view(), name="lead-activities"),
    path(f"{LEAD}/history", leads.LeadHistoryView.as_view(), name="lead-history"),
    path(f"{LEAD}/changes", leads.LeadChangesView.as_view(), name="lead-changes"),
    path(f"{LEAD}/tasks", tasks.LeadTasksView.as_view(), name="lead-tasks"),
    path(f"{LEAD}/move-stage", leads.MoveStageView.as_view(), name="lead-move-stage"),
    path(f"{CONVERSATIONS}/social-accounts", conversations.SocialAccountsView.as_view(), name="social-accounts"),
    path(f"{CONVERSATIONS}/posts", conversations.ContentPostsView.as_view(), name="content-posts"),
    path(CONVERSATIONS, conversations.ConversationsView.as_view(), name="conversations"),
    path(f"{CONVERSATIONS}/<conv_id:conv_id>", conversations.ConversationView.as_view(), name="conversation"),
]
