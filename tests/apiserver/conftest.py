"""The fuzz tests' counts, printed in pytest's terminal summary."""

from kernelsim.testing.fuzz import Tally

TALLY = Tally()


def pytest_terminal_summary(terminalreporter):
    if TALLY.inputs:
        terminalreporter.write_sep("-", "kube-apiserver fuzzing")
        terminalreporter.write_line(TALLY.summary())
