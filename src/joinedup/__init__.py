"""joinedup: one shared record and workflow for integrated health and social care."""
