"""Decisions and enforcement. Policies decide; they do not sense. The default is deny."""
