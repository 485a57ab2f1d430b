"""``/invite/<token>``: where an invitation email's link lands.

- signed in with the invited address: a button to join, then the org's board;
- signed in with another address: a 403 page saying which address to use;
- not signed in, the address has an account: sign in first (and come back here);
- not signed in, no account yet: create it (name and password; the email is the
  invitation's), which joins at once.

An unknown token is the 404 page; a used, revoked or expired one a 410 page.
Nothing here reveals more than the emailed link already says.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from vchata.exceptions import DomainError, NotFound

from . import invitations
from .forms import InvitedSignupForm
from .models import Invitation, User

TEMPLATE = "accounts/invite.html"


def _problem(exc: DomainError) -> str:
    return " ".join(exc.message) if isinstance(exc.message, list) else str(exc.message)


class InvitePageView(View):
    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotFound:
            return render(request, "404.html", status=404)
        except invitations.InvitationGone as exc:
            return render(request, TEMPLATE, {"gone": _problem(exc)}, status=410)

    def get(self, request, token):
        invitation = invitations.open_invitation(token)
        return self.page(request, invitation, token)

    def post(self, request, token):
        invitation = invitations.open_invitation(token)
        if request.user.is_authenticated:
            return self.accept(request, invitation, token)
        return self.sign_up(request, invitation, token)

    def page(self, request, invitation: Invitation, token: str, *, form=None, status: int = 200, error: str = ""):
        user = request.user
        context = {"invitation": invitation, "organization": invitation.organization, "token": token, "error": error}
        if user.is_authenticated:
            if user.email != invitation.email:
                context["wrong_account"] = True
                status = 403
        elif User.objects.filter(email__iexact=invitation.email).exists():
            next_url = reverse("invite", kwargs={"token": token})
            context["login_url"] = f"{reverse('login')}?{urlencode({'next': next_url})}"
        else:
            context["form"] = form or InvitedSignupForm()
        return render(request, TEMPLATE, context, status=status)

    def accept(self, request, invitation: Invitation, token: str):
        try:
            membership = invitations.accept_invitation(user=request.user, token=token)
        except DomainError as exc:
            return self.page(request, invitation, token, status=exc.status_code, error=_problem(exc))
        return self.joined(request, membership)

    def sign_up(self, request, invitation: Invitation, token: str):
        form = InvitedSignupForm(request.POST)
        if not form.is_valid():
            return self.page(request, invitation, token, form=form, status=400)
        try:
            user, membership = invitations.sign_up_invited(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            return self.page(request, invitation, token, form=form, status=exc.status_code, error=_problem(exc))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return self.joined(request, membership)

    def joined(self, request, membership):
        messages.success(request, f"Welcome to {membership.organization.name}!")
        return redirect("org-home", org_id=membership.organization_id)
