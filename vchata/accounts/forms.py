from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from iso4217 import Currency

from .invitations import INVITABLE_ROLES
from .login_throttle import ThrottledLoginMixin
from .models import Membership, Organization, available_time_zones


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """Email + password, throttled like ``/auth/token``; labels are the ones people (and browser tests) look for."""

    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's sign-in, throttled like the page's (``vchata.accounts.login_throttle``)."""


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=200)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Organization name is required")
        return name


def currency_choices() -> list[tuple[str, str]]:
    return sorted((currency.code, f"{currency.code} — {currency.currency_name}") for currency in Currency)


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(available_time_zones())]


def time_zone_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Time zone", choices=time_zone_choices, help_text="My work's today and the daily task digest follow it."
    )


class OrganizationSettingsForm(forms.ModelForm):
    """Name, currency, time zone and lead visibility (``services.update_organization``)."""

    currency = forms.ChoiceField(label="Currency", choices=currency_choices, help_text="Money is shown in it.")
    time_zone = time_zone_field()

    class Meta:
        model = Organization
        fields = ("name", "currency", "time_zone", "lead_visibility")
        labels = {"name": "Organization name", "lead_visibility": "Who sees which leads"}
        widgets = {"lead_visibility": forms.RadioSelect}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Organization name is required")
        return name


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label="Role", choices=[(role, role.label) for role in INVITABLE_ROLES])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Membership.Role.choices if value in roles]


class TransferForm(forms.Form):
    user = forms.CharField(max_length=64)


class InvitedSignupForm(forms.Form):
    """The account of an invited address: the email is the invitation's, not typed."""

    name = forms.CharField(label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
