"""Short Japanese names of the components and levies, for the author tools (show, diff,
check) — defined once here."""

COMPONENT_SHORT = {"medical": "医療分", "support": "支援分", "care": "介護分", "child": "子ども分"}
INSTALLMENT_LABELS = {"installments.unit": "各期の額の端数の単位", "installments.count": "納期の数",
                      "installments.remainder": "端数を加える期",
                      "installments.provisional_periods": "仮算定の期数",
                      "installments.special.on_change": "税額が変わったときの特別徴収の扱い",
                      "installments": "納期"}
LEVY_SHORT = {"income": "所得割", "asset": "資産割", "per_capita": "均等割", "per_household": "平等割"}
