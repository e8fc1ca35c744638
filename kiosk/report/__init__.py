"""Reporting: every recorded event and decision, sent once to the school's learning record store."""
