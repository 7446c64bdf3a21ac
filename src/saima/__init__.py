"""Saima (赛马): key-work scheduling and the performance horse race."""

__version__ = "0.1.0"
