"""A summary of what the fuzzer got back, so a run shows how deep it reached (2xx) per operation."""

from .hooks import ANSWERS


def pytest_terminal_summary(terminalreporter):
    if not ANSWERS:
        return
    total = sum(sum(counts.values()) for counts in ANSWERS.values())
    reached = [label for label, counts in ANSWERS.items() if counts["2xx"]]
    terminalreporter.section("schema fuzzing")
    terminalreporter.write_line(
        f"{total} requests over {len(ANSWERS)} operations; {len(reached)} operations answered 2xx at least once"
    )
    for label, counts in sorted(ANSWERS.items()):
        if not counts["2xx"]:
            terminalreporter.write_line(f"  no 2xx: {label} ({dict(counts)})")
