"""The engine (算定): a household's facts → 判定 → the law steps (levyrules.steps) →
the ledger → the result, with the trace; exact money and the household reader."""
