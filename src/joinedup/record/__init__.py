"""The integrated record: DATA_MODEL.md as Django models, identities, organisations, the loader."""
