"""Risk stratification: who is likely to be admitted to hospital as an emergency next year."""
