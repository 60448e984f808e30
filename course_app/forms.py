"""Form pieces every blueprint shares: input filters and showing a service's refusal."""
from flask import flash


def strip(value):
    """WTForms filter: surrounding spaces are never meant (phones add them after autocomplete)."""
    return value.strip() if isinstance(value, str) else value


def show_domain_error(form, error):
    """Put a service's DomainError beside the field it names, or flash it for the whole form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "error")
