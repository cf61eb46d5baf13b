"""Duty rosters."""
