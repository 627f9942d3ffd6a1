"""Handing outbox rows to the mail server, at most once per claim.

The hard case is a worker killed after the SMTP server accepted a message and before the
row says `sent`: a plain retry would send it twice. So the SMTP conversation is split:

1. MAIL, RCPT, DATA and the message body are sent (nothing is delivered yet: the server
   keeps the message only once it reads the final "." line);
2. in one database transaction the row is fenced (`handed_over_at` set, only if this
   worker still holds the claim), the final "." is written to the socket, and the
   transaction commits at once;
3. the server's reply is read and the row is marked `sent` (or sent again later if the
   server refused it).

A row left in `sending` without `handed_over_at` was certainly not delivered and is queued
again by the tick; with it, the message was handed over and the row becomes `uncertain`
(shown to officers, never resent on its own). What is left is the few microseconds
between writing "." and sending COMMIT to the database: a worker killed exactly there
leaves a delivered message that looks undelivered and is sent again (with the same
Message-ID, which mail clients fold). See docs/automation.md.
"""
import re
import smtplib
import socket

from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import transaction

_PERIODS = re.compile(rb"(?m)^\.")


class Fenced(Exception):
    """The claim was lost (the row was queued again): nothing was handed over."""


class Refused(Exception):
    """The server refused the message; it was not delivered. `permanent` for 5xx."""

    def __init__(self, code, text, *, permanent, bounced=False):
        super().__init__(f"{code} {text}")
        self.code = code
        self.permanent = permanent
        self.bounced = bounced


class AfterHandover(Exception):
    """The message was handed over but no reply came: it may have been delivered."""


def _text(resp) -> str:
    return resp.decode("utf-8", "replace") if isinstance(resp, bytes) else str(resp)


def _refused(code, resp, *, bounced=False):
    return Refused(code, _text(resp), permanent=code >= 500, bounced=bounced and code >= 500)


class Transport:
    """One connection reused for a batch. `send(message, fence)` calls `fence()` inside
    the transaction that records the handover, right before the message is committed to
    the server, and raises Refused / AfterHandover / Fenced / OSError / SMTPException."""

    def __init__(self, connection=None):
        self.backend = connection or get_connection()
        self.smtp = isinstance(self.backend, SmtpBackend)

    def close(self):
        try:
            self.backend.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not mask the real error
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, message, fence) -> None:
        if not self.smtp:
            # Console, file, in-memory backends: no SMTP conversation to split.
            with transaction.atomic():
                fence()
            self.backend.send_messages([message])
            return
        try:
            self._send_smtp(message, fence)
        except (Refused, AfterHandover):
            raise
        except Exception:
            self._drop()
            raise

    def _drop(self):
        conn = self.backend.connection
        self.backend.connection = None
        if conn is not None:
            try:
                conn.close()  # closing mid-DATA makes the server discard the partial message
            except Exception:  # noqa: BLE001 - best effort on a broken socket
                pass

    def _send_smtp(self, message, fence):
        if self.backend.open():
            # The body and the final "." go out as two writes: without this, Nagle's algorithm
            # holds the "." until the server's delayed ACK, 40 ms per message.
            sock = getattr(self.backend.connection, "sock", None)
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = self.backend.connection
        encoding = message.encoding or "utf-8"
        from_email = sanitize_address(message.from_email, encoding)
        recipients = [sanitize_address(a, encoding) for a in message.recipients()]
        data = message.message().as_bytes(linesep="\r\n")
        conn.ehlo_or_helo_if_needed()
        options = [f"size={len(data)}"] if conn.does_esmtp and conn.has_extn("size") else []
        code, resp = conn.mail(from_email, options)
        if code != 250:
            self._reset(conn, code)
            raise _refused(code, resp)
        accepted, refusal = 0, None
        for rcpt in recipients:
            code, resp = conn.rcpt(rcpt)
            if code in (250, 251):
                accepted += 1
            else:
                refusal = (code, resp)
        if not accepted:
            self._reset(conn, refusal[0])
            raise _refused(*refusal, bounced=True)
        conn.putcmd("data")
        code, resp = conn.getreply()
        if code != 354:
            self._reset(conn, code)
            raise _refused(code, resp)
        body = _PERIODS.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        conn.send(body)
        with transaction.atomic():
            fence()  # raises Fenced: we leave without the final "." and the server drops the message
            conn.send(b".\r\n")
        # committed: from here on the row says "handed over"
        try:
            code, resp = conn.getreply()
        except Exception as exc:
            self._drop()
            raise AfterHandover(str(exc) or exc.__class__.__name__) from exc
        if code != 250:
            self._reset(conn, code)
            raise _refused(code, resp)

    def _reset(self, conn, code):
        if code == 421:
            self._drop()
            return
        try:
            conn.rset()
        except smtplib.SMTPException:
            self._drop()
