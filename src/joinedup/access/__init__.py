"""Staff, their professions, organisations and teams; demo logins for the synthetic city."""
