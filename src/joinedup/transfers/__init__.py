"""The transfer of care hub: people of the partnership's area in hospital, and going home."""
