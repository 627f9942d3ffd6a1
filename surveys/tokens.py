"""Personal links and fingerprints.

- A link's token is `secrets.token_urlsafe(32)` (256 random bits). The database keeps only
  its SHA-256; the token itself exists when it is issued and in the e-mail that carries it.
- The e-mail is an outbox row rendered when it is sent, so its context holds the link
  *sealed* (Fernet, a key derived from SECRET_KEY): a database dump alone reveals no link.
- A respondent's device is kept as an HMAC-SHA256 of the IP address (keyed by SECRET_KEY)
  and a truncated user agent: enough to see many answers from one device, not who they are.
"""
import base64
import hashlib
import hmac
import secrets

import segno
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.urls import reverse

TOKEN_BYTES = 32
USER_AGENT_MAX = 200


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def answer_url(token: str) -> str:
    return settings.SITE_URL + reverse("surveys:answer", kwargs={"token": token})


def _fernet() -> Fernet:
    key = hmac.new(settings.SECRET_KEY.encode(), b"surveys.invitation-seal", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


class SealBroken(Exception):
    """The sealed link cannot be opened (SECRET_KEY changed): the outbox records the failure
    and an officer re-issues the link."""


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SealBroken("Không mở được liên kết đã niêm phong; hãy cấp lại liên kết.") from exc


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline SVG QR code (no XML declaration), dark on white for any printer."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff",
                                                 title="Mã QR của đường liên kết")


def ip_fingerprint(ip: str) -> str:
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
