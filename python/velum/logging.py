"""A :class:`logging.Filter` that redacts each record before any handler sees it.

The message is formatted with its arguments first (``logger.info("user %s", email)``), then
redacted, so the value never reaches a handler, a file or a log shipper in clear; the
fields given with ``extra=``, the formatted traceback and the stack of the record are
redacted too, however a formatter prints them.

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
from typing import Any, Optional

from ._velum import Redactor

__all__ = ["RedactingFilter"]


# The attributes every record has; any other was set by ``extra=`` or by a filter.
_STANDARD = frozenset(
    vars(_logging.LogRecord("n", 0, "p", 0, "m", None, None, "f")).keys()
) | {"message", "asctime"}


class RedactingFilter(_logging.Filter):
    """Redacts every part of a record a formatter may print, and lets the record through:

    - the message, after its arguments are formatted into it;
    - each attribute set by ``extra=`` (or by another filter), with its name as context
      (``extra={"ssn": 536904399}`` is an SSN; a dict or list is redacted as
      :meth:`~velum.Redactor.redact_json` redacts it);
    - the exception: its formatted traceback is redacted into ``exc_text``, and
      ``exc_info`` is cleared, so a formatter that formats the exception itself, or a
      handler that reads its frames, finds nothing in clear (``logging.Formatter`` and the
      common JSON formatters print ``exc_text`` instead);
    - the stack (``stack_info=True``).

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
        record.exc_info = None
        if record.exc_text:
            record.exc_text = r.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = r.redact(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and not key.startswith("_"):
                setattr(record, key, self._field(key, value))
        return True

    def _field(self, key: str, value: Any) -> Any:
        """An ``extra`` value redacted under its name."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, (str, int, float, dict, list, tuple)):
            try:
                return next(iter(self.redactor.redact_json({key: value}).values()))
            except (TypeError, ValueError):
                pass
        text = str(value)
        out = self.redactor.redact_row([key], [text])[0]
        return value if out == text else out
