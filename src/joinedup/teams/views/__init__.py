"""The team workspace's pages: each asks joinedup.access.team_membership.member_of first."""
