"""One wording for pydantic validation errors in the YAML files people edit by hand.

The manifest, the records and the deadlines file are each validated by pydantic models;
this turns the first error into the part of a message that names the field, so every
file reports problems the same way: "<file>: <entry>: unknown field 'symbl'".
"""

from __future__ import annotations

import re

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# Pydantic's wording for these names Python types ("a valid tuple", "instance of _Recalled"); say what YAML needs.
_PLAIN = {
    "model_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
}

_SUBJECT = re.compile(r"^[A-Z]\w* should ")


def field_path(loc: tuple[int | str, ...]) -> str:
    """("history", 0, "source") -> "history[0].source", as the field is found in the YAML."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def problem(error: ErrorDetails) -> str:
    """One error as "unknown field 'x'", "missing required field 'x'" or "field 'x' must be <what it needs>"."""
    field = field_path(error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown field '{field}'"
    if error["type"] == "missing":
        return f"missing required field '{field}'"
    # "Input should be a valid integer" -> "field 'year' should be a valid integer", like "field 'x' must be ...".
    message = _SUBJECT.sub("should ", _PLAIN.get(error["type"], error["msg"]))
    if not field:
        return message
    return f"field '{field}' {message}" if message.startswith(("must ", "should ")) else f"field '{field}': {message}"


def first_error(exc: ValidationError) -> ErrorDetails:
    """The error to report: an unknown field first, since a misspelt field also shows up as a missing one."""
    errors = exc.errors()
    return next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])


def first_problem(exc: ValidationError) -> str:
    """The one problem worth reporting, worded by `problem`."""
    return problem(first_error(exc))
