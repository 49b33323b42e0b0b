"""Short Japanese names of the components and levies, for the author tools (show, diff,
check) — defined once here."""

COMPONENT_SHORT = {"medical": "医療分", "support": "支援分", "care": "介護分", "child": "子ども分"}
LEVY_SHORT = {"income": "所得割", "asset": "資産割", "per_capita": "均等割", "per_household": "平等割"}
