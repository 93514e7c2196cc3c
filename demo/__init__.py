"""The demo organisation behind `manage.py seed_demo`: teams, people, pathways, progress,
commitments and a year of activity and outcomes, deterministic and idempotent.

`demo` is the top of the dependency rule: it reads and writes every app's models, and no
app imports it (only its command and the tests do). This package imports nothing itself,
because Django imports it while the app registry is still loading; callers import from
its modules (`demo.seed`, `demo.organisation`, ...).
"""
