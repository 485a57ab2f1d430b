"""One signed POST to a webhook endpoint, over a connection pinned to a checked address.

urllib3 connects to the address ``targets`` checked while the URL's host name
is kept for the Host header, TLS SNI and the certificate check. Redirects are
not followed (a redirect could point inside); the whole exchange is bounded by
``WEBHOOK_TIMEOUT_SECONDS``.
"""

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from .signing import vchata_signature
from .targets import UnsafeTarget, delivery_address, resolve

RESPONSE_BODY_KEPT = 500  # characters of the receiver's answer kept in the delivery log
USER_AGENT = "VChata-Webhooks/1.0"


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_body: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post_signed(url: str, body: bytes, *, secret: str, headers: dict[str, str]) -> SendResult:
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url)
        address = delivery_address(target)
    except UnsafeTarget as exc:
        return SendResult(None, elapsed(), error=str(exc))
    timeout = urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    request_headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "VChata-Signature": vchata_signature(secret, body),
    }
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=request_headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            answer = response.read(RESPONSE_BODY_KEPT).decode("utf-8", "replace")
        finally:
            response.release_conn()
        return SendResult(response.status, elapsed(), response_body=answer)
    except urllib3.exceptions.TimeoutError:
        return SendResult(None, elapsed(), error=f"Timed out after {settings.WEBHOOK_TIMEOUT_SECONDS:g} s")
    except urllib3.exceptions.HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        return SendResult(None, elapsed(), error=f"Connection failed: {reason}"[:300])
    finally:
        pool.close()
