"""MDT meeting pages: meetings and agenda, items, attendance."""
