"""Referrals through the single point of access: their lifecycle, triage and routing."""
