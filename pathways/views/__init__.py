"""Views for pathways, by audience: `builder` (L&D admins) and `learning` (employees
and their reviewers). Each module has its own URL list in pathways/urls.py."""
