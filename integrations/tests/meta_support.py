"""Meta's sample payloads (fixtures/) and a client that posts them signed, as Meta does."""

import hashlib
import hmac
import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_ID = "106000000000001"
INSTAGRAM_ID = "17841400000000001"
WHATSAPP_PHONE_ID = "106540352242922"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_signed(client, body: bytes | dict, *, secret: str, header: str | None = None):
    raw = json.dumps(body).encode() if isinstance(body, dict) else body
    extra = {"HTTP_X_HUB_SIGNATURE_256": header if header is not None else signature(secret, raw)}
    return client.generic("POST", "/webhooks/meta", raw, content_type="application/json", **extra)
