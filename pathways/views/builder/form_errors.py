"""Putting a service's ValidationError onto the form that was submitted."""

from django.core.exceptions import ValidationError


def form_errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)
