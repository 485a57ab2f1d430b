"""Every change to leads, contacts and the rows around them goes through these functions.

The API, the board and lead pages, the admin and automation rules all call
them, so a move is the same operation with the same checks and history
wherever it starts. One module per sub-domain; import from the package.
"""

from .campaigns import CAMPAIGN_EXISTS, create_campaign, delete_campaign, update_campaign
from .contacts import (
    CONTACT_EMAIL_EXISTS,
    CONTACT_FIELDS,
    CONTACT_HAS_LEADS,
    delete_contact,
    find_or_create_contact,
    update_contact,
)
from .custom_fields import CUSTOM_FIELD_EXISTS, create_custom_field, delete_custom_field, update_custom_field
from .inbox import (
    CONTENT_POST_EXISTS,
    SOCIAL_ACCOUNT_EXISTS,
    convert_conversation,
    create_content_post,
    create_conversation,
    create_social_account,
    record_platform_message,
)
from .inbox_edits import (
    add_message,
    delete_content_post,
    delete_conversation,
    delete_message,
    delete_social_account,
    update_content_post,
    update_conversation,
    update_message,
    update_social_account,
)
from .leads import (
    CLOSED_STATUSES,
    LEAD_EXISTS,
    add_activity,
    close_lead,
    create_lead,
    create_lead_with_contact,
    delete_lead,
    move_lead_to_stage,
    reopen_lead,
    update_lead,
)
from .lost_reasons import (
    LOST_REASON_EXISTS,
    LOST_REASON_IN_USE,
    create_lost_reason,
    delete_lost_reason,
    org_has_lost_reasons,
    update_lost_reason,
)
from .tasks import create_task, delete_task, update_task

__all__ = [
    "CAMPAIGN_EXISTS",
    "CLOSED_STATUSES",
    "CONTACT_EMAIL_EXISTS",
    "CONTACT_FIELDS",
    "CONTACT_HAS_LEADS",
    "CONTENT_POST_EXISTS",
    "CUSTOM_FIELD_EXISTS",
    "LEAD_EXISTS",
    "LOST_REASON_EXISTS",
    "LOST_REASON_IN_USE",
    "SOCIAL_ACCOUNT_EXISTS",
    "add_activity",
    "add_message",
    "close_lead",
    "convert_conversation",
    "create_campaign",
    "create_content_post",
    "create_conversation",
    "create_custom_field",
    "create_lead",
    "create_lead_with_contact",
    "create_lost_reason",
    "create_social_account",
    "create_task",
    "delete_campaign",
    "delete_contact",
    "delete_content_post",
    "delete_conversation",
    "delete_custom_field",
    "delete_lead",
    "delete_lost_reason",
    "delete_message",
    "delete_social_account",
    "delete_task",
    "find_or_create_contact",
    "move_lead_to_stage",
    "org_has_lost_reasons",
    "record_platform_message",
    "reopen_lead",
    "update_campaign",
    "update_contact",
    "update_content_post",
    "update_conversation",
    "update_custom_field",
    "update_lead",
    "update_lost_reason",
    "update_message",
    "update_social_account",
    "update_task",
]
