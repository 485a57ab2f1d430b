"""Public routes, called by other systems rather than signed-in users: Meta's webhooks and site forms.

Neither takes a token. ``/webhooks/meta`` trusts only a body signed with the
app secret; ``/forms/{formKey}`` takes anyone's submission (throttled per IP,
with a honeypot), cross-site only from the form's listed origins.
"""

import hmac
import io

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from leads.serializers import MessageOnlyResponse
from vchata.exceptions import DomainError, Forbidden, InvalidInput, NotFound
from vchata.inputs import validated
from vchata.parsers import StrictJSONParser
from vchata.responses import created, ok
from vchata.schema import errors
from vchata.throttling import ScopeThrottle

from .. import serializers as s
from ..capture import submit_form
from ..cors import add_cors_headers, origin_allowed
from ..inbound import store_inbound_event
from ..meta import MalformedPayload, check_shape
from ..models import LeadForm
from ..signing import meta_signature_valid


class Unauthorized(DomainError):
    status_code = 401


class PublicView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


class MetaWebhookView(PublicView):
    # Only the "meta" rate: Meta's servers are few IPs sending many requests.
    throttle_classes = [ScopeThrottle]
    throttle_scope = "meta"

    @extend_schema(
        operation_id="meta_webhook_verify",
        summary="Meta's subscription handshake",
        description="`hub.mode=subscribe` and `hub.verify_token` equal to META_VERIFY_TOKEN: the `hub.challenge` text.",
        parameters=[
            OpenApiParameter("hub.mode", str, required=True),
            OpenApiParameter("hub.verify_token", str, required=True),
            OpenApiParameter("hub.challenge", str, required=True),
        ],
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The challenge, as sent"),
            **errors(400, 403),
        },
        auth=[],
        tags=["inbound"],
    )
    def get(self, request):
        params = request.query_params
        token = settings.META_VERIFY_TOKEN
        offered = params.get("hub.verify_token", "")
        if params.get("hub.mode") != "subscribe" or not token or not hmac.compare_digest(offered, token):
            raise Forbidden("Verification token does not match")
        challenge = params.get("hub.challenge", "")
        if not challenge or len(challenge) > 200:
            raise InvalidInput(["hub.challenge is required, at most 200 characters"])
        return HttpResponse(challenge, content_type="text/plain; charset=utf-8")

    @extend_schema(
        operation_id="meta_webhook_receive",
        summary="Receive Messenger, Instagram and WhatsApp events",
        description=(
            "Requires `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` (else 401, nothing "
            "stored). The body is stored and answered at once; a worker files its messages into conversations. "
            "A replayed body is acknowledged and adds nothing."
        ),
        request={"application/json": OpenApiTypes.OBJECT},
        responses={200: MessageOnlyResponse, **errors(400, 401)},
        auth=[],
        tags=["inbound"],
    )
    def post(self, request):
        body = request.body
        if not meta_signature_valid(settings.META_APP_SECRET, body, request.headers.get("X-Hub-Signature-256")):
            raise Unauthorized("Missing or invalid X-Hub-Signature-256")
        payload = StrictJSONParser().parse(io.BytesIO(body), parser_context={})  # malformed JSON: 400
        try:
            object_type = check_shape(payload)
        except MalformedPayload as exc:
            raise InvalidInput([f"Not a Meta webhook body: {exc}"]) from exc
        _, stored = store_inbound_event(body=body, object_type=object_type)
        return ok(message="Event received" if stored else "Event already received")


class FormSubmitView(PublicView):
    throttle_scope = "forms"
    parser_classes = [StrictJSONParser, FormParser, MultiPartParser]

    def form(self, form_key: str) -> LeadForm:
        form = LeadForm.objects.select_related("organization", "pipeline").filter(key=form_key, is_active=True)
        found = form.first() if len(form_key) <= 64 else None
        if found is None:
            raise NotFound("Form not found")
        return found

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors too carry the CORS headers for an allowed origin, so the page can show them.
        response = super().finalize_response(request, response, *args, **kwargs)
        return add_cors_headers(response, getattr(self, "allowed_origin", None))

    def check_origin(self, request, form: LeadForm) -> None:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, form.allowed_origins):
            raise Forbidden("This site may not post to this form")
        self.allowed_origin = origin

    def options(self, request, form_key):
        form = self.form(form_key)
        self.check_origin(request, form)
        response = HttpResponse(status=204)
        return add_cors_headers(response, self.allowed_origin, preflight=True)

    @extend_schema(
        operation_id="forms_submit",
        summary="Submit a web-to-lead form (public)",
        description=(
            "JSON or form-encoded. Creates a lead with its contact in the form's organization and pipeline, with "
            "the form's source, utm fields and attribution (click ids, landing page, referrer). Cross-site "
            "requests (and their OPTIONS preflight) only from the form's allowed origins (else 403). A filled "
            "honeypot field `website` is answered like a success and stored nowhere."
        ),
        request={
            "application/json": s.FormSubmissionInput,
            "application/x-www-form-urlencoded": s.FormSubmissionInput,
            "multipart/form-data": s.FormSubmissionInput,
        },
        responses={201: MessageOnlyResponse, **errors(400, 403, 404)},
        auth=[],
        tags=["lead forms"],
    )
    def post(self, request, form_key):
        form = self.form(form_key)
        self.check_origin(request, form)
        data = validated(s.FormSubmissionInput, request.data)
        if not data.get(s.HONEYPOT):
            submit_form(form=form, data=data)
        return created(message="Thank you, your message was received")
