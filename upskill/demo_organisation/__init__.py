"""A believable demo organisation for `manage.py seed_demo`: teams, people, pathways,
progress, commitments and a year of activity and outcomes, deterministic and idempotent.

The demo reads and writes every app's models, so unlike the rest of `upskill` it
depends on `pathways`, `responsibilities` and `metrics`; nothing imports it but the
command and its tests.
"""

from upskill.demo_organisation.organisation import DEFAULT_PEOPLE, MIN_PEOPLE
from upskill.demo_organisation.seed import (
    DEMO_PASSWORD,
    DemoLogin,
    DemoSeedResult,
    demo_organisation_seed,
)

__all__ = [
    "DEFAULT_PEOPLE",
    "DEMO_PASSWORD",
    "MIN_PEOPLE",
    "DemoLogin",
    "DemoSeedResult",
    "demo_organisation_seed",
]
