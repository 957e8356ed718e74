"""Helpers for tests, graders and fuzzers of kernelsim clusters."""

from .invariants import check_invariants, InvariantViolation

__all__ = ["check_invariants", "InvariantViolation"]
