"""Writes for pathways, by audience: `builder` (L&D admins design and assign pathways)
and `learning` (employees progress, reviewers review). Import from the submodules."""
