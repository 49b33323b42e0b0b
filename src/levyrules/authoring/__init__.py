"""Tools for tariff authors (税率表の作成): `check`, `test`, `diff`, `list`, the
reference households and the generated key reference."""
