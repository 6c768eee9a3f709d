"""quizdl: a terminal spaced-repetition quiz for deep-learning interviews."""

__version__ = "0.1.0"
