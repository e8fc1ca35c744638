"""Sensors: they observe and publish typed, frozen results; they know nothing of page or policy."""
