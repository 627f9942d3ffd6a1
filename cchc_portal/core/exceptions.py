"""One error type for domain failures; the DRF handler and the pages turn it into a message."""


class ApplicationError(Exception):
    """A rule of the domain refused the action. `message` is Vietnamese and shown to the user.

    `status` is the HTTP status the API answers with: 400 bad input, 409 conflict (stale
    version, locked by a deadline, wrong state), 403 not allowed.
    """

    status = 400

    def __init__(self, message, *, extra=None, status=None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
        if status is not None:
            self.status = status


class ConflictError(ApplicationError):
    status = 409


class DeadlineError(ConflictError):
    """A write after the effective deadline (extensions included)."""


class StaleVersionError(ConflictError):
    """A save based on an old version; `extra["current"]` carries what is stored now."""
