"""Team sizes for `team_size: auto` tiers, by Erlang C from the policy's `staffing:` inputs.

`auto_team_sizes(rules)` gives, for every tier whose team size is `auto` and that has
staffing inputs, the agents to schedule (after shrinkage) to answer `service_level` of
`arrivals_per_hour` contacts within `answer_within`. The SOP prints that number
(`tierdesk sop render`); a tier without inputs keeps printing "auto".
"""

from __future__ import annotations

from tierdesk.domain.rulebook import Rulebook
from tierdesk.planning.erlang import ServiceTarget, required_staff


def auto_team_sizes(rules: Rulebook) -> dict[str, int]:
    """Agents to schedule per `auto` tier with staffing inputs, by tier id."""
    sizes: dict[str, int] = {}
    for tier in rules.tiers:
        inputs = tier.staffing
        if tier.team_size is not None or inputs is None:
            continue
        result = required_staff(
            inputs.arrivals_per_hour,
            inputs.aht.total_seconds(),
            ServiceTarget(inputs.service_level, inputs.answer_within.total_seconds()),
            max_occupancy=inputs.max_occupancy,
            shrinkage=inputs.shrinkage,
        )
        sizes[tier.id] = result.scheduled
    return sizes
