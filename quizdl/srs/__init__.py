"""Scheduling: the SM-2 algorithm (pure) and today's queue."""
