import factory

from vchata.accounts.models import Membership, Organization, User
from vchata.accounts.services import create_organization

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"rep{n}@example.com")
    name = factory.Faker("name")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *, password, **fields):
        return model_class.objects.create_user(password=password, **fields)


class OrganizationFactory(factory.django.DjangoModelFactory):
    """An organization created the way the product creates one: owner + default pipeline."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Acme {n}")
    owner = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *, owner, name):
        return create_organization(owner=owner, name=name)


class MembershipFactory(factory.django.DjangoModelFactory):
    """``MembershipFactory(organization=org).user``: a new MEMBER of ``org``; pass ``user``/``role`` to choose."""

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
