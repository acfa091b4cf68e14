"""The team workspace's pages: each asks joinedup.teams.membership.member_of first."""
