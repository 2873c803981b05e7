"""Outcomes: survey instruments, their figures for commissioners, and costs."""
