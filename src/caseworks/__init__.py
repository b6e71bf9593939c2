"""caseworks: assign people to cases and keep track of caseloads."""

__version__ = "0.1.0"
