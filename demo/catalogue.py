"""What the demo company works on and what "good" looks like there.

Kestrel sells invoicing software to small businesses. Its job roles, the three things
practice is anchored to (a product, a service and an internal process), the four AI
competencies, and one rubric per job role x competency, written the way an L&D team
would write them for this company.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = "Kestrel"
EMAIL_DOMAIN = "kestrel.example"

HARBOUR = "harbour-help-centre"
LEDGERLINE = "ledgerline-invoicing"
RELEASES = "release-process"

SUPPORT = "Customer support specialist"
ENGINEER = "Software engineer"
PRODUCT_MANAGER = "Product manager"
ANALYST = "Data analyst"
DESIGNER = "Designer"

PROMPTING = "prompting-ai-tooling"
EVALUATING = "evaluating-ai-output"
RESPONSIBLE = "responsible-ai-use"
AUTOMATION = "workflow-automation"


@dataclass(frozen=True)
class ProductEntry:
    slug: str
    name: str
    kind: str
    description: str


PRODUCTS = [
    ProductEntry(
        HARBOUR,
        "Harbour Help Centre",
        "product",
        "The customer help centre app: searchable help articles, chat and email with the "
        "support team, and an assistant that answers from published articles. Around 40,000 "
        "customers use it each month.",
    ),
    ProductEntry(
        LEDGERLINE,
        "Ledgerline Invoicing",
        "service",
        "The invoicing service behind every customer bill: invoice runs, payment reminders, "
        "credit notes and billing disputes for our small-business customers.",
    ),
    ProductEntry(
        RELEASES,
        "Release process",
        "process",
        "How a change goes from a merged pull request to production: release notes, change "
        "review, staged rollout and rollback.",
    ),
]


@dataclass(frozen=True)
class RoleEntry:
    name: str
    description: str
    work: str  # what the role produces, as used in "everyday {work}"
    product: str  # where the role's practice happens
    verify: str  # how the role checks AI output before it is used
    sensitive: str  # what must never leave the sandbox


ROLES = [
    RoleEntry(
        SUPPORT,
        "Answers customers in Harbour Help Centre by chat, email and phone, and keeps the "
        "help articles accurate.",
        work="customer replies, ticket summaries and help articles",
        product="the Harbour Help Centre queues",
        verify="checks every draft against the customer's account and the refund and billing "
        "policy before sending it",
        sensitive="customers' names, contact details and card or bank details",
    ),
    RoleEntry(
        ENGINEER,
        "Builds and runs Ledgerline Invoicing, the Help Centre back end and the release pipeline.",
        work="code, tests and pull-request descriptions",
        product="Ledgerline Invoicing and the release pipeline",
        verify="runs the tests and reads every generated line before it is committed",
        sensitive="secrets, API keys, customer invoices and production logs",
    ),
    RoleEntry(
        PRODUCT_MANAGER,
        "Decides what the Help Centre and invoicing teams build next, and why.",
        work="specs, user stories and stakeholder updates",
        product="the Help Centre and invoicing roadmaps",
        verify="traces every claim back to the data or the customer quote it came from",
        sensitive="customer names, contract terms and unreleased roadmap details",
    ),
    RoleEntry(
        ANALYST,
        "Turns product, billing and support data into answers that teams can act on.",
        work="queries, analyses and weekly reports",
        product="billing and support data",
        verify="reconciles every AI-produced figure with the source tables before sharing it",
        sensitive="row-level customer and payment data",
    ),
    RoleEntry(
        DESIGNER,
        "Designs the Help Centre and invoicing experiences, from research to interface copy.",
        work="research synthesis, interface copy and prototypes",
        product="the Help Centre and invoicing interfaces",
        verify="checks synthesised themes against the raw notes and tests copy with real users",
        sensitive="research participants' names, recordings and contact details",
    ),
]


@dataclass(frozen=True)
class CompetencyEntry:
    slug: str
    name: str
    description: str
    levels: tuple[str, str, str, str]  # templates over RoleEntry fields


COMPETENCIES = [
    CompetencyEntry(
        PROMPTING,
        "Prompting & AI tooling",
        "Choosing the right approved AI tool for a task and asking it well.",
        (
            "Knows which approved AI tools exist for {work} and how to reach them in the "
            "sandbox; writes simple requests and can tell a useful answer from a vague one.",
            "Writes prompts with context, constraints and an example for everyday {work}; "
            "keeps a personal set of prompts that work on {product}.",
            "Picks the right tool and technique for the job (drafting, summarising, "
            "transforming, critiquing), iterates deliberately when the output misses, and "
            "shares reusable prompts with the team.",
            "Maintains the team's shared prompt library and tool set-up for {work}; coaches "
            "colleagues and retires prompts when models or policies change.",
        ),
    ),
    CompetencyEntry(
        EVALUATING,
        "Evaluating AI output",
        "Telling fluent from correct: checking AI output before anyone relies on it.",
        (
            "Knows AI output can be fluent and wrong; asks a colleague when unsure whether a "
            "result can be trusted.",
            "Routinely {verify}; catches invented facts, outdated details and missing edge "
            "cases in everyday {work}.",
            "Knows the typical failure modes for {work} and checks for them first; can "
            "explain to a reviewer exactly how an AI-assisted result was verified.",
            "Designs the team's checks for AI-assisted {work} (checklists, sample reviews, "
            "tests); spots systematic errors across many outputs and feeds them back to L&D.",
        ),
    ),
    CompetencyEntry(
        RESPONSIBLE,
        "Responsible AI use",
        "Using AI within our policy: privacy, fairness, honesty with customers, and "
        "saying when AI was involved.",
        (
            "Knows the AI use policy: which tools are approved, that {sensitive} never go "
            "into them outside the sandbox, and when to say AI was used.",
            "Applies the policy without prompting in everyday {work}; removes personal data "
            "before prompting and records where AI contributed.",
            "Spots ethical risks before they land (bias, privacy, misleading customers) and "
            "raises them early; helps colleagues make the right call in grey areas.",
            "Shapes the team's guidance on responsible AI use for {work}; reviews incidents "
            "without blame and turns them into better guidance.",
        ),
    ),
    CompetencyEntry(
        AUTOMATION,
        "Workflow automation",
        "Redesigning recurring work around AI assistance, with people at the decision points.",
        (
            "Can describe the steps of their own workflow and point out the repetitive ones "
            "where AI might help.",
            "Uses an AI-assisted shortcut for one recurring task in {work}, with a person "
            "checking the result before it leaves the team.",
            "Redesigns a team workflow around AI assistance, measures the time saved and the "
            "error rate, and keeps a person at each decision point.",
            "Leads automation across teams; agrees with leaders which steps stay human and "
            "retires automations that no longer pay their way.",
        ),
    ),
]

# (ethical considerations, decision boundaries) per job role and competency.
RUBRIC_JUDGEMENT: dict[tuple[str, str], tuple[str, str]] = {
    (SUPPORT, PROMPTING): (
        "Customers deserve a reply that sounds like us and is true: never let a draft "
        "promise what the policy does not allow.",
        "AI may draft customer replies; a person approves every reply sent.",
    ),
    (SUPPORT, EVALUATING): (
        "Check drafts for tone with upset or vulnerable customers; empathy is not optional "
        "because a draft was quick.",
        "AI may suggest which refund or credit policy applies; a person decides every "
        "refund, credit and exception.",
    ),
    (SUPPORT, RESPONSIBLE): (
        "Remove card details and personal data before prompting, and tell customers when "
        "they are chatting with the assistant rather than a person.",
        "The Help Centre assistant may answer from published help articles; anything about "
        "a customer's own account goes to a person.",
    ),
    (SUPPORT, AUTOMATION): (
        "Automatic tagging must never bury a complaint: spot-check what automation routes "
        "away from people.",
        "AI may tag, route and summarise tickets; escalations and complaints are always read "
        "by a person.",
    ),
    (ENGINEER, PROMPTING): (
        "Assistants can reproduce licensed code; prefer generated code you understand and "
        "check the licence of anything that looks copied.",
        "AI may suggest code and tests in the editor; an engineer decides what is committed "
        "and owns it in review.",
    ),
    (ENGINEER, EVALUATING): (
        "Plausible tests create false confidence: a test that passes against the wrong "
        "invoicing rule is worse than no test.",
        "AI may propose review comments; a person approves every pull request and every "
        "change to how invoices are calculated.",
    ),
    (ENGINEER, RESPONSIBLE): (
        "Never paste secrets, customer invoices or production logs into a tool outside the "
        "approved sandbox.",
        "AI tools may read the repository inside the sandbox; they never get production "
        "credentials or customer data.",
    ),
    (ENGINEER, AUTOMATION): (
        "Automations that touch billing must be reversible and logged, so mistakes can be "
        "traced and put right.",
        "AI may draft release notes and change summaries; the release manager approves every "
        "production release.",
    ),
    (PRODUCT_MANAGER, PROMPTING): (
        "Say when a spec or update was drafted with AI, so readers know to check it.",
        "AI may draft specs, user stories and updates; the product manager decides scope and "
        "priority.",
    ),
    (PRODUCT_MANAGER, EVALUATING): (
        "AI summaries of customer feedback over-weight the loudest voices; check themes "
        "against the full sample before acting on them.",
        "AI may summarise research and feedback; decisions cite the underlying evidence, not "
        "the summary.",
    ),
    (PRODUCT_MANAGER, RESPONSIBLE): (
        "Keep customer names, contract terms and unreleased roadmap details out of tools "
        "outside the sandbox.",
        "AI may help compare options; commitments to customers and pricing changes are made "
        "by people.",
    ),
    (PRODUCT_MANAGER, AUTOMATION): (
        "When AI speeds up a process, check who now carries the risk, and tell them.",
        "AI may sort incoming feature requests into themes; a person reads every request "
        "from a named customer.",
    ),
    (ANALYST, PROMPTING): (
        "Keep the prompts and data behind any AI-assisted figure, so others can reproduce it.",
        "AI may write and explain SQL; an analyst runs, reads and owns every query result "
        "they share.",
    ),
    (ANALYST, EVALUATING): (
        "AI can invent plausible numbers: reconcile every figure with the source tables "
        "before it reaches a decision.",
        "AI may suggest analyses and charts; published figures are checked by an analyst "
        "against the source data.",
    ),
    (ANALYST, RESPONSIBLE): (
        "Prompt with aggregated or anonymised data; row-level payment and customer data "
        "never leaves the warehouse.",
        "AI tools may see schemas and aggregates; row-level customer data stays in the warehouse.",
    ),
    (ANALYST, AUTOMATION): (
        "An automated report nobody checks is a risk: every automated report has a named owner.",
        "AI may assemble the weekly reports; an analyst signs off each one before it is sent.",
    ),
    (DESIGNER, PROMPTING): (
        "Generated images and copy can carry bias and borrowed styles; check both before "
        "they ship.",
        "AI may generate copy variants and early concepts; a designer chooses what reaches "
        "customers.",
    ),
    (DESIGNER, EVALUATING): (
        "Synthesised themes can erase minority needs: look for what the summary left out.",
        "AI may cluster research notes; findings presented to the team link back to the "
        "original notes.",
    ),
    (DESIGNER, RESPONSIBLE): (
        "Participants agreed to their words being used by us, not by third-party tools: "
        "anonymise notes before prompting.",
        "AI tools may see anonymised notes only; recordings and contact details never leave "
        "the research repository.",
    ),
    (DESIGNER, AUTOMATION): (
        "Keep accessibility checks human-led: automation does not replace testing with "
        "people who rely on assistive technology.",
        "AI may produce first-draft prototypes; usability decisions rest on tests with real users.",
    ),
}


def rubric_levels(role: RoleEntry, competency: CompetencyEntry) -> list[str]:
    """The four level descriptors of one rubric, in the role's own words."""
    fields = {
        "work": role.work,
        "product": role.product,
        "verify": role.verify,
        "sensitive": role.sensitive,
    }
    return [template.format(**fields) for template in competency.levels]
