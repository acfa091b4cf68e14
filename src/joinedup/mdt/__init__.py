"""Multidisciplinary team meetings: agendas built from the caseload, decisions, owned actions."""
