"""The domain: business rules, free of HTTP. Services flush; views and CLI commands commit."""


class DomainError(Exception):
    """A rule refused the operation. `message` is a (lazily) translated text for the user."""

    def __str__(self):
        return str(self.message)

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
