"""`extends` and `--set`: what a tariff takes from its base, and what it never takes.

A child tariff (``extends: koriyama/2025``) is its base with the child's values
merged over it (mappings key by key, anything else replaced). So that a child
cannot mislead:

- a value the child gives clears the base's `missing` entry for that path (the
  child knows it now);
- the child never inherits ``status``: it states its own, or it is
  ``unverified`` with a note saying why;
- a child for another municipality (a different ``municipality.slug``) takes
  nothing of the base's ``municipality`` (no 団体コード of another town) nor its
  ``provenance``: it must state its own sources.

An override (``--set PATH=VALUE``, a 試算) follows the same rule for `missing`
and makes the tariff ``unverified``; it cannot change what the tariff *is*
(``extends``, ``status``, ``municipality``, ``fiscal_year``, …) nor remove a
levy with an empty value.
"""

from __future__ import annotations

from typing import Any

from ..errors import TariffError

# --set may change the figures of a tariff, never what the tariff is or where it comes from
OVERRIDABLE = ("components", "rounding", "options", "installments")


def merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings merge key by key; anything else (lists included) replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return over


def _given(tree: Any, prefix: str, nodes: set, leaves: set) -> None:
    """The dotted paths a mapping writes: every key (nodes) and those that replace (leaves)."""
    if not isinstance(tree, dict):
        leaves.add(prefix)
        return
    for k, v in tree.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        nodes.add(path)
        _given(v, path, nodes, leaves)


def clear_missing(missing: Any, nodes: set, leaves: set) -> Any:
    """The `missing` entries that the given paths do not answer."""
    if not isinstance(missing, list):
        return missing

    def answered(entry: Any) -> bool:
        p = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(p, str):
            return False
        parts = p.split(".")
        return p in nodes or any(".".join(parts[:i]) in leaves for i in range(1, len(parts)))
    return [m for m in missing if not answered(m)]


def inherit(base: dict, child: dict, base_ref: str) -> dict:
    """The child's data merged over its base, by the rules in the module doc."""
    body = {k: v for k, v in child.items() if k != "extends"}
    nodes: set = set()
    leaves: set = set()
    _given(body, "", nodes, leaves)
    base = dict(base)
    if "missing" not in body:
        base["missing"] = clear_missing(base.get("missing", []), nodes, leaves)
        if not base["missing"]:
            del base["missing"]
    base_town = base.get("municipality") if isinstance(base.get("municipality"), dict) else {}
    town = body.get("municipality")
    other_town = isinstance(town, dict) and town.get("slug") != base_town.get("slug")
    if other_town:
        base.pop("municipality", None)          # no 団体コード, prefecture or name of the base
        base.pop("provenance", None)            # the child must state its own sources
    if "status" not in body:
        base["status"] = "unverified"
        base["status_note"] = body.get("status_note") or (
            f"this tariff extends {base_ref} and states no status of its own, so it is "
            f"not verified")
        body.pop("status_note", None)
    elif "status_note" not in body:
        base.pop("status_note", None)           # the base's note explains the base's status
    return merge(base, body)


def check_override(dotted: str, value: Any) -> None:
    """Refuse an override that would change what the tariff is or drop a levy silently."""
    root = dotted.split(".")[0]
    if root not in OVERRIDABLE:
        raise TariffError(f"--set {dotted}: only values under {', '.join(OVERRIDABLE)} can be "
                          f"changed for a run; write a tariff file that extends this one instead")
    if value is None or value == "":
        raise TariffError(f"--set {dotted}: give a value (an empty or null value would remove "
                          f"the levy); to drop a levy, write a tariff file that extends this one")


def override_note(overrides: list[tuple[str, Any]], note: str) -> str:
    """The status note of a tariff with overrides: they come first, the tariff's own note after."""
    changed = ", ".join(f"{k}={v}" for k, v in overrides)
    head = f"試算: --set で変更した値があります（{changed}）。"
    return f"{head} {note}".strip()


def override_paths(overrides: list[tuple[str, Any]]) -> tuple[set, set]:
    """(nodes, leaves) of the paths overrides write, as `clear_missing` takes them."""
    nodes: set = set()
    leaves: set = set()
    for dotted, _ in overrides:
        parts = dotted.split(".")
        nodes.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        leaves.add(dotted)
    return nodes, leaves
