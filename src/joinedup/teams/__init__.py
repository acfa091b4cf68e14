"""The integrated team's workspace: caseloads, key workers, workload and the landing pages."""
