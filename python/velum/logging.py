"""A :class:`logging.Filter` that redacts each record before any handler sees it.

The message is formatted with its arguments first (``logger.info("user %s", email)``), then
redacted, so the value never reaches a handler, a file or a log shipper in clear; the
formatted traceback and stack of the record are redacted too.

>>> import logging, io, velum.logging
>>> stream = io.StringIO()
>>> handler = logging.StreamHandler(stream)
>>> handler.addFilter(velum.logging.RedactingFilter())
>>> log = logging.getLogger("doctest.velum")
>>> log.addHandler(handler); log.propagate = False
>>> log.warning("refund for %s to card %s", "jane@example.com", "4111 1111 1111 1111")
>>> stream.getvalue()
'refund for [EMAIL] to card **** **** **** 1111\\n'

Attach it to handlers (as above) to cover records from every logger that reaches them, or
to a logger to cover what that logger itself emits.
"""

import logging as _logging
from typing import Optional

from ._velum import Redactor

__all__ = ["RedactingFilter"]


class RedactingFilter(_logging.Filter):
    """Redacts ``record.msg`` (after formatting its arguments), the exception text and the
    stack of every record; lets every record through.

    ``redactor`` defaults to one with the embedded default policy.
    """

    def __init__(self, redactor: Optional[Redactor] = None, name: str = "") -> None:
        super().__init__(name)
        self.redactor = redactor if redactor is not None else Redactor()

    def filter(self, record: _logging.LogRecord) -> bool:
        r = self.redactor
        record.msg = r.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = r.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = r.redact(record.stack_info)
        return True
