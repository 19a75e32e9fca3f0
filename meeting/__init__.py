"""meeting: a medical society's annual meeting, run as a virtual event."""

__version__ = "0.1.0"
