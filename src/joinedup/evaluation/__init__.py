"""The statistics of the impact evaluation (issue 21): did integrated teams work?

Pure numpy/scipy/statsmodels, no Django and no app, so an estimate means the same wherever
the lake is read. Each module holds one method; all return `estimates.Estimate`.
docs/user-guide/evaluation.md ("Methods") says what each assumes and why it is used.
"""
