"""子ども・子育て支援納付金課税額 (FY2026+), rulebook §4.3."""

from __future__ import annotations

from . import rule

UNDER18 = rule("child_under18", "18歳未満被保険者の子ども・子育て支援納付金分均等割額の10割軽減",
               "地方税法703条の5第3項（令和8年度以降）")
ADULT_PER_CAPITA = rule("child_adult_per_capita", "18歳以上被保険者均等割額",
                        "地方税法703条の4（子ども・子育て支援納付金課税額、令和8年度以降）")
FIRST_YEAR = 2026
