"""The domain: business rules, free of HTTP. Services flush; views and CLI commands commit."""


class DomainError(Exception):
    """A rule refused the operation. `message` is a (lazily) translated text for the user."""

    def __str__(self):
        return str(self.message)

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(Exception):  # noqa: N818 - named as what the user gets
    """The object does not exist, or this user may not know it does: the app answers 404
    (another user's object answers exactly like a missing one; errors.py translates it).
    Not a DomainError, so a view catching refused rules never swallows it."""

    def __init__(self, message="not found"):
        super().__init__(message)
        self.message = message


class Forbidden(Exception):  # noqa: N818
    """The user may know the object exists but may not do this with it (403)."""
