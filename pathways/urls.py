from django.urls import path

from pathways.views import badges, builder, learning

app_name = "pathways"

# The pathway builder (L&D admins).
builder_urlpatterns = [
    path("pathways/", builder.pathway_list, name="list"),
    path("pathways/new/", builder.pathway_create, name="create"),
    path("pathways/<int:pk>/", builder.pathway_editor, name="editor"),
    path("pathways/<int:pk>/details/", builder.pathway_edit, name="edit"),
    path("pathways/<int:pk>/duplicate/", builder.pathway_duplicate, name="duplicate"),
    path("pathways/<int:pk>/publish/", builder.pathway_publish, name="publish"),
    path("pathways/<int:pk>/archive/", builder.pathway_archive, name="archive"),
    path("pathways/<int:pk>/preview/", builder.pathway_preview, name="preview"),
    path("pathways/<int:pk>/assign/", builder.pathway_assign, name="assign"),
    path("pathways/<int:pk>/assign/people/", builder.assign_people, name="assign_people"),
    path("pathways/<int:pk>/stages/new/", builder.stage_create, name="stage_create"),
    path("pathways/<int:pk>/stages/order/", builder.stages_reorder, name="stages_reorder"),
    path("pathways/stages/<int:pk>/edit/", builder.stage_edit, name="stage_edit"),
    path("pathways/stages/<int:pk>/delete/", builder.stage_delete, name="stage_delete"),
    path("pathways/stages/<int:pk>/steps/new/", builder.step_create, name="step_create"),
    path("pathways/stages/<int:pk>/steps/order/", builder.steps_reorder, name="steps_reorder"),
    path("pathways/steps/<int:pk>/edit/", builder.step_edit, name="step_edit"),
    path("pathways/steps/<int:pk>/delete/", builder.step_delete, name="step_delete"),
    path("pathways/steps/<int:pk>/restore/", builder.step_restore, name="step_restore"),
    path(
        "pathways/assignments/<int:pk>/remove/",
        builder.assignment_remove,
        name="assignment_remove",
    ),
    path("pathways/products/", builder.products, name="products"),
    path("pathways/products/<int:pk>/", builder.product_row, name="product_row"),
    path("pathways/products/<int:pk>/edit/", builder.product_edit, name="product_edit"),
    path("pathways/products/<int:pk>/archive/", builder.product_archive, name="product_archive"),
    path("pathways/rubrics/", builder.rubrics, name="rubrics"),
    path("pathways/competencies/new/", builder.competency_create, name="competency_create"),
    path(
        "pathways/rubrics/<int:role_pk>/<int:competency_pk>/",
        builder.rubric_cell,
        name="rubric_cell",
    ),
    path(
        "pathways/rubrics/<int:role_pk>/<int:competency_pk>/edit/",
        builder.rubric_edit,
        name="rubric_edit",
    ),
]

# The learner's side (employees, and their reviewers).
learning_urlpatterns = [
    path("learning/", learning.my_learning, name="my_learning"),
    path("learning/reviews/", learning.review_queue, name="review_queue"),
    path("learning/reviews/count/", learning.review_count, name="review_count"),
    path("learning/reviews/<int:pk>/", learning.review, name="review"),
    path("learning/recognition/", learning.recognition, name="recognition"),
    path("learning/enrol/<slug:slug>/", learning.enrol, name="enrol"),
    path("learning/<slug:slug>/confidence/", learning.confidence_rate, name="confidence_rate"),
    path("learning/<slug:slug>/steps/<slug:key>/", learning.step_detail, name="step"),
    path(
        "learning/<slug:slug>/steps/<slug:key>/start/",
        learning.step_progress,
        {"action": "start"},
        name="step_start",
    ),
    path(
        "learning/<slug:slug>/steps/<slug:key>/done/",
        learning.step_progress,
        {"action": "done"},
        name="step_done",
    ),
    path(
        "learning/<slug:slug>/steps/<slug:key>/evidence/",
        learning.evidence_submit,
        name="evidence_submit",
    ),
    path(
        "learning/<slug:slug>/steps/<slug:key>/evidence/edit/",
        learning.evidence_edit,
        name="evidence_edit",
    ),
    path(
        "learning/<slug:slug>/steps/<slug:key>/evidence/withdraw/",
        learning.evidence_withdraw,
        name="evidence_withdraw",
    ),
    path(
        "learning/<slug:slug>/steps/<slug:key>/feedback/",
        learning.step_feedback,
        name="step_feedback",
    ),
    path("pathways/<slug:slug>/feedback/", learning.feedback_summary, name="feedback_summary"),
]

# Verifiable Open Badges 3.0: the owner's badge, the public documents a verifier
# fetches without signing in, and revocation (L&D admins).
badges_urlpatterns = [
    path("learning/badges/<int:pk>/", badges.badge_download, name="badge"),
    path("learning/badges/<int:pk>/page/", badges.badge_mine, name="badge_mine"),
    path("learning/badges/<int:pk>/sharing/", badges.badge_sharing, name="badge_sharing"),
    path("badges/issuer", badges.badge_issuer, name="badge_issuer"),
    path("badges/status/<int:pk>", badges.badge_status_list, name="badge_status_list"),
    path("badges/<str:public_id>/", badges.badge_public, name="badge_public"),
    path(
        "badges/<str:public_id>/credential.json",
        badges.badge_public_credential,
        name="badge_public_credential",
    ),
    path("achievements/<slug:slug>", badges.achievement, name="achievement"),
    path("achievements/<slug:slug>/badge.svg", badges.achievement_image, name="achievement_image"),
    path("pathways/badges/", badges.badge_admin, name="badge_admin"),
    path("pathways/badges/<int:pk>/revoke/", badges.badge_revoke, name="badge_revoke"),
]

urlpatterns = builder_urlpatterns + learning_urlpatterns + badges_urlpatterns
