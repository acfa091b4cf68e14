"""Case finding: risk scores re-identified into the operational database, and per team a
worklist of the highest-risk people of its neighbourhood whom no team knows yet."""
