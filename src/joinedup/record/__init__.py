"""The integrated record: docs/lake.md as Django models, identities, organisations, the loader."""
