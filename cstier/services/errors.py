"""Errors a user can cause, mapped to messages by every entry point."""


class ServiceError(Exception):
    """Base class for errors the user can act on."""

    status = 400


class NotFound(ServiceError):
    """The object does not exist, or the actor may not know it exists."""

    status = 404


class Forbidden(ServiceError):
    """The actor's role does not allow this."""

    status = 403


class Conflict(ServiceError):
    """Someone else changed the object since it was read."""

    status = 409


class ValidationFailed(ServiceError):
    """Input that breaks a rule; `errors` maps field name to messages."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.errors = errors or {}


class TooManyAttempts(ServiceError):
    """Too many failed logins in the window."""

    status = 429


class SignInUnavailable(ServiceError):
    """The shared sign-in counters (Redis) do not answer; no attempt is checked until they do."""

    status = 503
