"""A summary of what the fuzzer got back, so a run shows how deep it reached (2xx) per operation.

A plugin of the root conftest, because under pytest-xdist the controller never
loads tests/fuzz: the workers count the answers (``hooks.ANSWERS``) and hand
them over when they finish, and the controller prints the sum.
"""

import sys
from collections import Counter, defaultdict

import pytest

WORKER_KEY = "fuzz_answers"
FROM_WORKERS: defaultdict[str, Counter] = defaultdict(Counter)


def counted_here() -> dict[str, Counter]:
    hooks = sys.modules.get("tests.fuzz.hooks")  # not imported: no fuzz test ran in this process
    return hooks.ANSWERS if hooks is not None else {}


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: plain dicts travel to the controller
        workeroutput[WORKER_KEY] = {label: dict(counts) for label, counts in counted_here().items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for label, counts in getattr(node, "workeroutput", {}).get(WORKER_KEY, {}).items():
        FROM_WORKERS[label].update(counts)


def pytest_terminal_summary(terminalreporter):
    answers: defaultdict[str, Counter] = defaultdict(Counter)
    for source in (FROM_WORKERS, counted_here()):
        for label, counts in source.items():
            answers[label].update(counts)
    if not answers:
        return
    total = sum(sum(counts.values()) for counts in answers.values())
    reached = [label for label, counts in answers.items() if counts["2xx"]]
    terminalreporter.section("schema fuzzing")
    terminalreporter.write_line(
        f"{total} requests over {len(answers)} operations; {len(reached)} operations answered 2xx at least once"
    )
    for label, counts in sorted(answers.items()):
        if not counts["2xx"]:
            terminalreporter.write_line(f"  no 2xx: {label} ({dict(counts)})")
