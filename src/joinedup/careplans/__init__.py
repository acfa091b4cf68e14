"""Shared care plans: one per person, written across organisations, every version kept."""
