"""The two sub-navigations of pathways, rendered with the one sub-nav template."""

from django import template

from upskill.navigation import sub_nav_context

register = template.Library()


@register.inclusion_tag("upskill/_sub_nav.html")
def builder_sub_nav(section: str) -> dict[str, object]:
    """The L&D admin's tabs; metrics' import pages and upskill's Organisation pages show
    it too (their tabs), which is why their URLs are named here rather than imported."""
    return sub_nav_context(
        label="Pathway builder",
        section=section,
        tabs=[
            ("pathways", "Pathways", "pathways:list"),
            ("products", "Products", "pathways:products"),
            ("rubrics", "Competencies & rubrics", "pathways:rubrics"),
            ("badges", "Badges", "pathways:badge_admin"),
            ("imports", "Imports", "metrics:imports"),
            ("organisation", "Organisation", "organisation"),
        ],
    )


@register.inclusion_tag("upskill/_sub_nav.html")
def learning_sub_nav(section: str, is_reviewer: bool) -> dict[str, object]:
    """The learner's tabs; "Evidence to review" only for reviewers
    (upskill.access.is_reviewer)."""
    tabs = [
        ("learning", "My learning", "pathways:my_learning"),
        ("recognition", "Recognition & badges", "pathways:recognition"),
    ]
    if is_reviewer:
        tabs.append(("reviews", "Evidence to review", "pathways:review_queue"))
    return sub_nav_context(label="Learning", section=section, tabs=tabs)
