"""velum.logging.RedactingFilter: nothing reaches a handler in clear."""

import io
import json
import logging

import velum
import velum.logging


def _logger(name, flt=None):
    stream = io.StringIO()
    h = logging.StreamHandler(stream)
    h.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    h.addFilter(flt or velum.logging.RedactingFilter())
    log = logging.getLogger(name)
    log.handlers[:] = [h]
    log.propagate = False
    log.setLevel(logging.DEBUG)
    return log, stream


def test_arguments_are_formatted_then_redacted():
    log, out = _logger("t.args")
    log.info("user %s paid with %s", "jane@example.com", "4111 1111 1111 1111")
    log.info("dict %(ssn)s", {"ssn": "536-90-4399"})
    log.info("plain 203.0.113.9")
    assert out.getvalue() == (
        "INFO user [EMAIL] paid with **** **** **** 1111\n"
        "INFO dict ***-**-4399\n"
        "INFO plain [IP_ADDRESS]\n"
    )


def test_tracebacks_and_stacks_are_redacted():
    log, out = _logger("t.exc")
    try:
        raise ValueError("bad card 4111 1111 1111 1111 for jane@example.com")
    except ValueError:
        log.exception("failed for %s", "jane@example.com")
    log.info("here", stack_info=True)
    text = out.getvalue()
    assert "jane@example.com" not in text and "4111 1111 1111 1111" not in text
    assert "ValueError: bad card **** **** **** 1111 for [EMAIL]" in text
    assert "Stack (most recent call last)" in text


def test_a_custom_policy():
    r = velum.Redactor('[entities.EMAIL]\naction = "keep"\n')
    log, out = _logger("t.policy", velum.logging.RedactingFilter(r))
    log.warning("mail %s ip %s", "jane@example.com", "203.0.113.9")
    assert out.getvalue() == "WARNING mail jane@example.com ip [IP_ADDRESS]\n"


def test_extra_fields_and_exceptions_however_the_formatter_prints_them():
    """Issue 21: `extra` fields and a formatter that formats `exc_info` itself."""

    class Json(logging.Formatter):
        def format(self, record):
            d = {k: v for k, v in vars(record).items() if k not in ("args", "exc_info")}
            if record.exc_info:
                d["exc"] = self.formatException(record.exc_info)
            d["exc_text"] = record.exc_text
            return json.dumps(d, default=str)

    stream = io.StringIO()
    h = logging.StreamHandler(stream)
    h.setFormatter(Json())
    h.addFilter(velum.logging.RedactingFilter())
    log = logging.getLogger("t.extra")
    log.handlers[:] = [h]
    log.propagate = False
    try:
        raise RuntimeError("card 4111 1111 1111 1111")
    except RuntimeError:
        log.exception(
            "failed",
            extra={
                "email": "jane@example.com",
                "ssn": 536904399,
                "user": {"phone": "+44 20 7946 0958", "ssn": [536904399.0]},
                "obj": type("Thing", (), {"__str__": lambda self: "mail bob@example.org"})(),
            },
        )
    text = stream.getvalue()
    for value in ["jane@example.com", "536904399", "7946 0958", "4111 1111", "bob@example.org"]:
        assert value not in text, value
    d = json.loads(text)
    assert d["email"] == "[EMAIL]" and d["ssn"] == "*****4399"
    assert "RuntimeError: card **** **** **** 1111" in d["exc_text"]
