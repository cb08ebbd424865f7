"""The docstring examples run, as written (the package's, the logging module's and those of
the extension's classes)."""

import doctest

import velum
import velum.logging
import velum.spark


def _run(obj, name):
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(obj, name, globs={"velum": velum})
    assert tests, f"no examples in {name}"
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} examples failed in {name}"
    return result.attempted


def test_package_examples():
    assert _run(velum, "velum") >= 5


def test_logging_examples():
    assert _run(velum.logging, "velum.logging") >= 5


def test_extension_examples():
    n = 0
    for cls in (velum.Redactor,):
        parser = doctest.DocTestParser()
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        for attr in [cls, *vars(cls).values()]:
            doc = getattr(attr, "__doc__", None) or ""
            t = parser.get_doctest(doc, {"velum": velum}, cls.__name__, None, 0)
            if t.examples:
                runner.run(t)
                n += len(t.examples)
        assert runner.summarize(verbose=False).failed == 0
    assert n >= 4
