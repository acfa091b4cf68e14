"""Tasks: things someone has to do for a person, owned by a named person or organisation."""
