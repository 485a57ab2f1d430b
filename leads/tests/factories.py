"""Factories for lead-side rows. Leads are made through ``create_lead``, as the product makes them."""

from datetime import UTC, timedelta

import factory
from django.utils import timezone

from leads.models import (
    Campaign,
    Contact,
    ContentPost,
    Conversation,
    CustomField,
    Lead,
    Message,
    SocialAccount,
    Task,
)
from leads.services import create_lead
from vchata.accounts.tests.factories import OrganizationFactory


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1555{n:07d}")
    company = factory.Faker("company")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")
    utm_campaign = factory.Sequence(lambda n: f"campaign_{n}")


class SocialAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocialAccount

    organization = factory.SubFactory(OrganizationFactory)
    platform = SocialAccount.Platform.INSTAGRAM
    platform_id = factory.Sequence(lambda n: f"account{n}")
    name = factory.Sequence(lambda n: f"Brand {n} on Instagram")


class ContentPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentPost

    social_account = factory.SubFactory(SocialAccountFactory)
    organization = factory.SelfAttribute("social_account.organization")
    platform_post_id = factory.Sequence(lambda n: f"post{n}")
    content = "Check out our new product!"
    url = factory.Sequence(lambda n: f"https://instagram.com/p/post{n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    social_account = factory.SubFactory(SocialAccountFactory)
    organization = factory.SelfAttribute("social_account.organization")
    participant_name = factory.Faker("name")
    participant_handle = factory.Sequence(lambda n: f"@fan{n}")
    participant_email = factory.Sequence(lambda n: f"fan{n}@example.com")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    direction = Message.Direction.IN
    text = "Hi, is this still available?"
    sent_at = factory.Faker("date_time_this_month", tzinfo=UTC)


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    organization = factory.SubFactory(OrganizationFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    type = CustomField.Type.TEXT


class LeadFactory(factory.django.DjangoModelFactory):
    """``LeadFactory(organization=org)``: a lead in the org's default pipeline, first stage.

    Pass ``pipeline``, ``stage``, ``value``, ``source`` … as for ``create_lead``;
    ``actor`` defaults to nobody (a system-made lead).
    """

    class Meta:
        model = Lead

    organization = factory.SubFactory(OrganizationFactory)
    contact = factory.LazyAttribute(lambda o: ContactFactory(organization=o.organization))
    pipeline = factory.LazyAttribute(lambda o: o.organization.pipeline_set.get(is_default=True))
    source = "website"
    value = 1000

    @classmethod
    def _create(cls, model_class, *, organization, actor=None, **fields):
        return create_lead(org=organization, actor=actor, **fields)


class TaskFactory(factory.django.DjangoModelFactory):
    """``TaskFactory(lead=lead)``: an open CALL due tomorrow, unassigned unless ``assigned_to`` is given."""

    class Meta:
        model = Task

    lead = factory.SubFactory(LeadFactory)
    organization = factory.SelfAttribute("lead.organization")
    title = factory.Sequence(lambda n: f"Follow up {n}")
    type = Task.Type.CALL
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
