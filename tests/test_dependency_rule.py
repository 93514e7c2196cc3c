"""The dependency rule of DESIGN.md, for the crossings an import graph cannot see.

`lint-imports` (the layers contract in pyproject.toml, run by `make test` before pytest)
checks every import, module- or function-level. What it cannot see is an app reaching a
higher app's code by name: `Model._meta.get_field(...).related_model`, a model label
("metrics.OutcomeMeasure") in a ForeignKey or `apps.get_model`, a task name in
`send_task`, a module path in `import_module`. This test walks each app's syntax tree for
those, with the same table of who may read whom.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent

# Which apps each app may read: demo everything; metrics pathways, responsibilities and
# upskill; pathways and responsibilities upskill only (not each other); upskill nothing.
MAY_READ: dict[str, frozenset[str]] = {
    "upskill": frozenset(),
    "pathways": frozenset({"upskill"}),
    "responsibilities": frozenset({"upskill"}),
    "metrics": frozenset({"upskill", "pathways", "responsibilities"}),
    "demo": frozenset({"upskill", "pathways", "responsibilities", "metrics"}),
}

# The project wiring in the core package names every app by string (INSTALLED_APPS, the
# audit-log registry and the beat schedule in settings, the root URLconf's includes):
# Django composes the apps there; nothing in them reads another app's code.
PROJECT_WIRING = frozenset({"upskill/settings.py", "upskill/urls.py"})

# Calls whose first argument names an app, a module or a task by string.
NAME_TAKING_CALLS = frozenset(
    {
        "get_model",
        "get_app_config",
        "get_by_natural_key",
        "import_module",
        "import_string",
        "__import__",
        "send_task",
        "signature",
    }
)

# "app.Model", "app.module.name": a dotted reference. "app:url-name" is not one: a lower
# app embedding a partial the higher app serves by URL is the pattern DESIGN.md names.
DOTTED = re.compile(r"(?P<app>[a-z_]+)\.[A-Za-z_][\w.]*")
# A queryset lookup or relation path: "targeted_measures", "activity__minutes".
LOOKUP = re.compile(r"[a-z_]+(__\w+)*")


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _names_app(value: object, forbidden: frozenset[str]) -> bool:
    return isinstance(value, str) and value.split(".", 1)[0] in forbidden


def _apps_with_models() -> frozenset[str]:
    return frozenset(
        app
        for app in MAY_READ
        if (ROOT / app / "models.py").exists() or (ROOT / app / "models").is_dir()
    )


def _reverse_relations() -> dict[str, frozenset[str]]:
    """For each app, the names by which its models reach a higher app's rows through a
    relation the higher app declares (metrics.OutcomeMeasure.pathways is
    `pathway.targeted_measures`): the reverse accessors and query names."""
    names: dict[str, set[str]] = defaultdict(set)
    for model in apps.get_models():
        owner = model._meta.app_label
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = field.related_model._meta.app_label
            crosses = (
                owner in MAY_READ
                and target in MAY_READ
                and owner not in MAY_READ[target] | {target}
            )
            if crosses and not field.remote_field.hidden:
                names[target] |= {
                    field.remote_field.get_accessor_name(),
                    field.related_query_name(),
                }
    return {app: frozenset(names[app]) for app in MAY_READ}


def crossings(
    source: str,
    *,
    app: str,
    apps_with_models: frozenset[str],
    reverse_relations: frozenset[str] = frozenset(),
) -> list[str]:
    """Each place in `source` (a module of `app`) that reaches an app it may not read."""
    forbidden = frozenset(MAY_READ) - MAY_READ[app] - {app}
    # A relation's target can only be a higher app's model where a higher app has models.
    hides_models = bool(forbidden & apps_with_models)

    def reverse(name: object) -> bool:
        return (
            isinstance(name, str)
            and LOOKUP.fullmatch(name) is not None
            and name.split("__", 1)[0] in reverse_relations
        )

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            if node.attr in reverse_relations:
                found.append(f"line {node.lineno}: .{node.attr} (a higher app's relation)")
            elif hides_models and node.attr == "related_model":
                found.append(f"line {node.lineno}: .related_model")
            elif (
                hides_models
                and node.attr == "model"
                and getattr(node.value, "attr", None) == "remote_field"
            ):
                found.append(f"line {node.lineno}: .remote_field.model")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = DOTTED.fullmatch(node.value)
            if match and match["app"] in forbidden:
                found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Call):
            first = node.args[0] if node.args else None
            if (
                _call_name(node) in NAME_TAKING_CALLS
                and isinstance(first, ast.Constant)
                and first.value in forbidden
            ):
                found.append(f"line {node.lineno}: {_call_name(node)}({first.value!r}, ...)")
            found += [
                f"line {node.lineno}: {name!r} (a higher app's relation)"
                for name in [*(arg.value for arg in node.args if isinstance(arg, ast.Constant))]
                + [keyword.arg for keyword in node.keywords]
                if reverse(name)
            ]
            found += [
                f"line {node.lineno}: app_label={keyword.value.value!r}"
                for keyword in node.keywords
                if keyword.arg == "app_label"
                and isinstance(keyword.value, ast.Constant)
                and _names_app(keyword.value.value, forbidden)
            ]
    return found


def _modules(app: str) -> list[Path]:
    # Migrations are history: they keep naming models where they once lived.
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


@pytest.mark.parametrize("app", list(MAY_READ))
def test_app_reaches_no_higher_app_by_name(app):
    apps_with_models = _apps_with_models()
    reverse_relations = _reverse_relations()[app]
    found = [
        f"{path.relative_to(ROOT)} {crossing}"
        for path in _modules(app)
        if path.relative_to(ROOT).as_posix() not in PROJECT_WIRING
        for crossing in crossings(
            path.read_text(),
            app=app,
            apps_with_models=apps_with_models,
            reverse_relations=reverse_relations,
        )
    ]
    readable = ", ".join(sorted(MAY_READ[app])) or "no other app"
    assert not found, f"{app} may read only {readable}, but:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("app", "source", "caught"),
    [
        ("pathways", 'M = Pathway._meta.get_field("targeted_measures").related_model', True),
        ("pathways", "M = Pathway.targeted_measures.field.remote_field.model", True),
        ("pathways", 'm = models.ForeignKey("metrics.OutcomeMeasure", on_delete=CASCADE)', True),
        ("pathways", 'm = models.ManyToManyField(to="metrics.outcomemeasure")', True),
        ("responsibilities", 'apps.get_model("pathways", "Step")', True),
        ("responsibilities", 'apps.get_model("pathways.Step")', True),
        ("upskill", 'ContentType.objects.get(app_label="metrics", model="importrun")', True),
        ("upskill", 'app.send_task("metrics.tasks.rollup_catch_up")', True),
        ("upskill", 'importlib.import_module("demo")', True),
        ("metrics", 'importlib.import_module("demo.seed")', True),
        ("pathways", "pathway.targeted_measures.set(measures)", True),
        ("pathways", 'Pathway.objects.filter(targeted_measures__key="quality_score")', True),
        ("pathways", 'Pathway.objects.prefetch_related("targeted_measures")', True),
        ("pathways", 'Pathway.objects.prefetch_related("products", "target_roles")', False),
        ("pathways", 'reverse("metrics:dashboard")', False),
        ("pathways", 'template_name = "metrics/dashboard.html"', False),
        ("pathways", 'm = models.ForeignKey("upskill.Team", on_delete=CASCADE)', False),
        ("pathways", 'm = models.ForeignKey("pathways.Stage", on_delete=CASCADE)', False),
        ("metrics", 'apps.get_model("pathways", "Step")', False),
        ("metrics", 'M = ActivityRecord._meta.get_field("step").related_model', False),
        ("demo", 'apps.get_model("metrics", "OutcomeMeasure")', False),
        ("upskill", '"""Reads metrics.OutcomeMeasure, in a sentence."""', False),
    ],
)
def test_check_catches_each_way_of_reaching_a_higher_app(app, source, caught):
    found = crossings(
        source,
        app=app,
        apps_with_models=frozenset({"upskill", "pathways", "responsibilities", "metrics"}),
        # As if metrics declared a relation to Pathway with related_name "targeted_measures".
        reverse_relations=frozenset({"targeted_measures"} if app == "pathways" else ()),
    )
    assert bool(found) is caught


def test_table_is_the_import_linter_layers_contract():
    """One rule: the table above is what pyproject's layers contract says, top to bottom,
    where `a | b` are independent siblings."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = [[app.strip() for app in layer.split("|")] for layer in contract["layers"]]
    derived = {
        app: frozenset(lower for below in layers[depth + 1 :] for lower in below)
        for depth, layer in enumerate(layers)
        for app in layer
    }
    assert derived == MAY_READ
    assert sorted(config["root_packages"]) == sorted(MAY_READ)
