"""The staff-facing pages: NHS.UK layout, login and the partnership overview."""
