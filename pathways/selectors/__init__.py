"""Reads for pathways, by audience: `builder` (L&D admins) and `learning` (employees
and their reviewers)."""

from pathways.selectors.builder import pathway_list_with_counts
from pathways.selectors.learning import enrollments_for_person

__all__ = ["enrollments_for_person", "pathway_list_with_counts"]
