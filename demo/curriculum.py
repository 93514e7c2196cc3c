"""The demo pathways: each moves from foundation, to practice on a real product, to
coaching, and says which outcome measures it means to move.

Evidence templates are filled with numbers from the seeded random generator, so two
learners' evidence reads alike in shape but not word for word.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demo.catalogue import (
    ANALYST,
    AUTOMATION,
    DESIGNER,
    ENGINEER,
    EVALUATING,
    HARBOUR,
    LEDGERLINE,
    PRODUCT_MANAGER,
    PROMPTING,
    RELEASES,
    RESPONSIBLE,
    SUPPORT,
)


@dataclass(frozen=True)
class StepEntry:
    key: str
    title: str
    kind: str  # learn / practice / coaching / reflect
    competency: str
    target_level: int
    minutes: int
    instructions: str
    product: str | None = None
    evidence: str = ""  # a template; empty means no evidence is required
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class StageEntry:
    kind: str  # foundation / practice / coaching, in that order
    title: str
    description: str
    steps: tuple[StepEntry, ...]


@dataclass(frozen=True)
class PathwayEntry:
    slug: str
    title: str
    summary: str
    products: tuple[str, ...]
    target_roles: tuple[str, ...]
    measures: tuple[str, ...]
    stages: tuple[StageEntry, ...]
    steps: tuple[StepEntry, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(s for stage in self.stages for s in stage.steps))


SUPPORT_PATHWAY = PathwayEntry(
    slug="ai-assisted-customer-support",
    title="AI-assisted customer support",
    summary=(
        "Answer Harbour Help Centre customers faster without losing the judgement they "
        "trust: how drafting assistants work, then drafting and fact-checking on your own "
        "queue, then monthly coaching on the replies you actually sent."
    ),
    products=(HARBOUR, LEDGERLINE),
    target_roles=(SUPPORT,),
    measures=("customer_satisfaction", "cycle_time_days", "quality_score", "confidence"),
    stages=(
        StageEntry(
            "foundation",
            "Foundations: AI in customer conversations",
            "What drafting assistants are good at, where they go wrong, and our rules for "
            "using them with customers.",
            (
                StepEntry(
                    "how-assistants-draft",
                    "How AI assistants draft replies, and where they go wrong",
                    "learn",
                    PROMPTING,
                    1,
                    40,
                    "Watch the 25-minute walkthrough, then try the five sandbox exercises: "
                    "ask the assistant about a made-up refund and see how confidently it "
                    "invents a policy.",
                ),
                StepEntry(
                    "customer-data-rules",
                    "Customer data, disclosure and tone: our rules for AI in support",
                    "learn",
                    RESPONSIBLE,
                    1,
                    30,
                    "Read the support AI policy (four pages) and pass the ten-question check. "
                    "Pay attention to what never goes into a prompt.",
                ),
                StepEntry(
                    "map-your-queue",
                    "Map your queue: which tickets could AI help with?",
                    "reflect",
                    AUTOMATION,
                    1,
                    20,
                    "Look at your last 50 tickets and sort them into: AI could draft, AI "
                    "could summarise, a person must handle. Bring the list to your next 1:1.",
                    prerequisites=("how-assistants-draft",),
                ),
            ),
        ),
        StageEntry(
            "practice",
            "Practice on your own queue in Harbour Help Centre",
            "Use the assistant on real tickets, with a person approving every reply.",
            (
                StepEntry(
                    "draft-replies",
                    "Draft 20 real replies with the Help Centre assistant",
                    "practice",
                    PROMPTING,
                    2,
                    120,
                    "Over a week, use the assistant's draft as your starting point on 20 "
                    "tickets. Approve, edit or rewrite each one, and note why.",
                    product=HARBOUR,
                    evidence=(
                        "Drafted {count} replies with the assistant in my queue. Sent {kept} "
                        "after light edits; rewrote the rest, mostly because the draft quoted "
                        "the old 14-day refund window. My average handling time went from "
                        "{before} to {after} minutes."
                    ),
                    prerequisites=("how-assistants-draft", "customer-data-rules"),
                ),
                StepEntry(
                    "check-policy-facts",
                    "Fact-check AI drafts against the refund and billing policy",
                    "practice",
                    EVALUATING,
                    2,
                    90,
                    "Take ten billing tickets about Ledgerline invoices. For each AI draft, "
                    "mark every policy claim as correct, outdated or invented.",
                    product=LEDGERLINE,
                    evidence=(
                        "Checked {count} drafts on invoice disputes. Found {errors} policy "
                        "claims that were wrong (mostly credit-note timings) and fixed them "
                        "before sending. Added the two most common mistakes to our team "
                        "checklist."
                    ),
                    prerequisites=("draft-replies",),
                ),
                StepEntry(
                    "summarise-escalations",
                    "Summarise an escalation for Tier 2 with AI",
                    "practice",
                    AUTOMATION,
                    2,
                    60,
                    "Use the assistant to summarise a long escalation thread into the Tier 2 "
                    "hand-over template, then check it against the thread line by line.",
                    product=HARBOUR,
                    evidence=(
                        "Summarised {count} escalation threads for Tier 2. Each summary took "
                        "about {after} minutes instead of {before}; Tier 2 asked follow-up "
                        "questions on {errors} of them, so I added the customer's plan and "
                        "last invoice to the template."
                    ),
                    prerequisites=("draft-replies",),
                ),
            ),
        ),
        StageEntry(
            "coaching",
            "Coaching: review your replies with your team lead",
            "Monthly coaching on real, sent replies, and sharing what you learn.",
            (
                StepEntry(
                    "coaching-sent-replies",
                    "Coaching: walk through five AI-assisted replies you sent",
                    "coaching",
                    EVALUATING,
                    3,
                    45,
                    "Pick five replies you sent with AI help, including one you are unsure "
                    "about, and go through them with your team lead.",
                    evidence=(
                        "Reviewed five sent replies with my team lead. Agreed two were better "
                        "than I'd have written alone, one was too formal for an upset customer, "
                        "and I'll now open with the customer's own words. Next: try the "
                        "assistant on {count} phone-call follow-ups."
                    ),
                    prerequisites=("check-policy-facts", "summarise-escalations"),
                ),
                StepEntry(
                    "share-a-learning",
                    "Share one learning with the support team",
                    "reflect",
                    RESPONSIBLE,
                    3,
                    20,
                    "Post one thing you learned (a prompt, a mistake, a shortcut) in the "
                    "support channel, with an example ticket number.",
                    prerequisites=("coaching-sent-replies",),
                ),
            ),
        ),
    ),
)

DELIVERY_PATHWAY = PathwayEntry(
    slug="ai-in-software-delivery",
    title="AI in software delivery: from pull request to release",
    summary=(
        "Use coding assistants on Ledgerline Invoicing and in the release process safely: "
        "how assistants work and fail, then writing tests, release notes and reviews with "
        "them on real changes, then pairing with a coach."
    ),
    products=(LEDGERLINE, RELEASES),
    target_roles=(ENGINEER,),
    measures=("cycle_time_days", "quality_score", "confidence"),
    stages=(
        StageEntry(
            "foundation",
            "Foundations: coding assistants, safely",
            "Context windows, invented APIs and licences; what may go into a prompt.",
            (
                StepEntry(
                    "how-coding-assistants-work",
                    "How coding assistants work: context, invented APIs and licences",
                    "learn",
                    PROMPTING,
                    1,
                    45,
                    "Work through the sandbox kata: ask the assistant to call a Ledgerline "
                    "API that does not exist and watch it invent one.",
                ),
                StepEntry(
                    "secure-use",
                    "Secure use: secrets, customer data and the approved tools list",
                    "learn",
                    RESPONSIBLE,
                    1,
                    30,
                    "Read the engineering AI policy and set up the approved assistant with "
                    "the repository's secret-scanning pre-commit hook.",
                ),
            ),
        ),
        StageEntry(
            "practice",
            "Practice on Ledgerline Invoicing and the release process",
            "Real changes, reviewed like any other change.",
            (
                StepEntry(
                    "tests-for-invoice-rules",
                    "Write tests for an invoicing rule with an assistant",
                    "practice",
                    EVALUATING,
                    2,
                    120,
                    "Pick a Ledgerline rule (pro-rating, VAT rounding, credit notes). Let "
                    "the assistant propose tests, then check each assertion against the "
                    "rule's specification before committing.",
                    product=LEDGERLINE,
                    evidence=(
                        "Added {count} tests for VAT rounding on credit notes; the assistant "
                        "proposed {kept} of them. {errors} of its assertions encoded the "
                        "current (wrong) behaviour, which is how we found the half-penny bug. "
                        "PR linked."
                    ),
                    prerequisites=("how-coding-assistants-work", "secure-use"),
                ),
                StepEntry(
                    "release-notes-draft",
                    "Draft release notes from merged pull requests",
                    "practice",
                    AUTOMATION,
                    2,
                    60,
                    "For one release, have the assistant draft the notes from merged pull "
                    "requests; edit for customers and get the release manager's sign-off.",
                    product=RELEASES,
                    evidence=(
                        "Drafted the notes for a release of {count} merged pull requests in "
                        "{after} minutes (usually {before}). Removed two internal-only changes "
                        "the draft listed; the release manager approved the rest unchanged."
                    ),
                    prerequisites=("how-coding-assistants-work",),
                ),
                StepEntry(
                    "review-ai-assisted-pr",
                    "Review an AI-assisted pull request with the team checklist",
                    "practice",
                    EVALUATING,
                    3,
                    60,
                    "Review a colleague's AI-assisted pull request using the checklist: "
                    "invented APIs, missing edge cases, licence, tests that test nothing.",
                    product=RELEASES,
                    evidence=(
                        "Reviewed a {count}-file AI-assisted PR on payment reminders. Found "
                        "{errors} issues from the checklist, including a retry loop with no "
                        "back-off. Suggested adding 'idempotent?' to the checklist."
                    ),
                    prerequisites=("tests-for-invoice-rules",),
                ),
            ),
        ),
        StageEntry(
            "coaching",
            "Coaching: pair and reflect",
            "An hour pairing with a coach, then bringing wins and misses to the retro.",
            (
                StepEntry(
                    "pairing-session",
                    "Pair for an hour with a coach on a real invoicing ticket",
                    "coaching",
                    PROMPTING,
                    3,
                    60,
                    "Book an hour with an AI coach from the guild and work a real ticket "
                    "together; write down one habit you will keep.",
                    evidence=(
                        "Paired on a dunning-email ticket. Habit I'm keeping: ask the "
                        "assistant for the failure cases first, then the code. We shipped "
                        "the change with {count} new tests."
                    ),
                    prerequisites=("review-ai-assisted-pr",),
                ),
                StepEntry(
                    "delivery-retro",
                    "Bring one AI win and one miss to the team retrospective",
                    "reflect",
                    AUTOMATION,
                    3,
                    30,
                    "At the next retrospective, share one time AI saved you real time and one "
                    "time it cost you some. Agree one change as a team.",
                    prerequisites=("pairing-session",),
                ),
            ),
        ),
    ),
)

DECISIONS_PATHWAY = PathwayEntry(
    slug="better-product-decisions-with-ai",
    title="Better product decisions with AI",
    summary=(
        "For product managers, analysts and designers: use AI to analyse invoicing and "
        "Help Centre data and research without losing the evidence behind a decision."
    ),
    products=(LEDGERLINE, HARBOUR),
    target_roles=(PRODUCT_MANAGER, ANALYST, DESIGNER),
    measures=("quality_score", "customer_satisfaction", "confidence"),
    stages=(
        StageEntry(
            "foundation",
            "Foundations: AI for research and analysis",
            "What AI is good and bad at with data and research, and how to stay honest.",
            (
                StepEntry(
                    "ai-for-analysis",
                    "What AI is good and bad at in research and analysis",
                    "learn",
                    EVALUATING,
                    1,
                    40,
                    "Read the short guide and compare an AI summary of 30 interview notes "
                    "with the notes themselves. What did it miss?",
                ),
                StepEntry(
                    "bias-and-privacy",
                    "Bias, privacy and consent when analysing customer data with AI",
                    "learn",
                    RESPONSIBLE,
                    1,
                    35,
                    "Read the research and data policy and practise anonymising a ticket "
                    "export before it goes near an assistant.",
                ),
                StepEntry(
                    "prompt-patterns-for-synthesis",
                    "Prompt patterns for synthesis: quote, cluster, count, cite",
                    "learn",
                    PROMPTING,
                    1,
                    30,
                    "Try the four patterns on the sample data set and keep the prompts that "
                    "give you citations back to the source rows.",
                ),
            ),
        ),
        StageEntry(
            "practice",
            "Practice on Help Centre and invoicing questions",
            "Real questions from the roadmap, answered with AI and checked by hand.",
            (
                StepEntry(
                    "cluster-dispute-reasons",
                    "Cluster invoice dispute reasons and check them against a hand-coded sample",
                    "practice",
                    EVALUATING,
                    2,
                    150,
                    "Cluster last quarter's Ledgerline dispute reasons with AI, hand-code a "
                    "random sample of 50 yourself, and compare.",
                    product=LEDGERLINE,
                    evidence=(
                        "Clustered {count} dispute reasons into {kept} themes. My hand-coded "
                        "sample of 50 agreed on {after} of them; the AI merged 'wrong VAT "
                        "number' into 'wrong amount', which hid our second-biggest cause."
                    ),
                    prerequisites=("ai-for-analysis", "bias-and-privacy"),
                ),
                StepEntry(
                    "synthesise-help-centre-research",
                    "Synthesise Help Centre searches and tickets into research themes",
                    "practice",
                    PROMPTING,
                    2,
                    120,
                    "Use the citation prompt pattern on a month of Help Centre searches with "
                    "no result and the matching tickets. Every theme must link to examples.",
                    product=HARBOUR,
                    evidence=(
                        "Synthesised {count} failed searches into themes with linked examples. "
                        "Top theme: customers search 'cancel invoice' but our article says "
                        "'void'. Proposed {kept} article title changes."
                    ),
                    prerequisites=("prompt-patterns-for-synthesis",),
                ),
                StepEntry(
                    "automate-weekly-report",
                    "Automate one step of a weekly report, with a person signing off",
                    "practice",
                    AUTOMATION,
                    2,
                    90,
                    "Pick one weekly report about invoicing or the Help Centre and let AI "
                    "draft its commentary; you check the numbers and sign it off.",
                    product=LEDGERLINE,
                    evidence=(
                        "The weekly disputes report commentary is now AI-drafted from the "
                        "numbers; it takes {after} minutes instead of {before}. I caught "
                        "{errors} wrong comparisons in the first month, so it now quotes the "
                        "figure it compares against."
                    ),
                    prerequisites=("ai-for-analysis",),
                ),
            ),
        ),
        StageEntry(
            "coaching",
            "Coaching: decisions in the open",
            "Show how AI-assisted evidence led to a decision, and share what worked.",
            (
                StepEntry(
                    "decision-review",
                    "Coaching: present one AI-assisted decision, with its evidence",
                    "coaching",
                    EVALUATING,
                    3,
                    45,
                    "Walk your coach through one decision you made with AI-assisted analysis "
                    "or research: the question, the evidence, the checks, the call.",
                    evidence=(
                        "Presented the decision to rename 'void' to 'cancel' in the Help "
                        "Centre. Coach asked how I checked the clusters; I showed the "
                        "hand-coded sample. Next: measure search success for {count} days."
                    ),
                    prerequisites=("cluster-dispute-reasons", "synthesise-help-centre-research"),
                ),
                StepEntry(
                    "share-prompt-library",
                    "Add your best prompts to the shared library",
                    "reflect",
                    PROMPTING,
                    3,
                    20,
                    "Add the two prompts that worked best for you to the shared library, "
                    "each with an example input and what to check in the output.",
                    prerequisites=("decision-review",),
                ),
            ),
        ),
    ),
)

PATHWAYS = (SUPPORT_PATHWAY, DELIVERY_PATHWAY, DECISIONS_PATHWAY)

REVIEW_COMMENTS = {
    "below": [
        "Good start. The evidence shows the drafts, but not how you checked them; next time "
        "say what you changed and why.",
        "Accepted, but you relied on the draft more than I'd like. Let's pick this up in our "
        "next 1:1.",
    ],
    "at": [
        "Clear evidence of practice on real work, and you caught the mistakes that matter.",
        "Exactly what this step is for: real tickets, real checks, and numbers to show it.",
        "Solid. I'd like the team to see your checklist addition.",
    ],
    "above": [
        "Excellent: you went beyond the step and improved the team's checklist. Please share "
        "it at the next team meeting.",
        "This is the standard I'd show others. Would you coach the next cohort on this step?",
    ],
}

CHANGES_REQUESTED_COMMENTS = [
    "Please add how you checked the AI output. I can't see which claims you verified.",
    "This reads like the AI's summary of your work; tell me in your own words what you "
    "changed and why.",
    "Nearly there: remove the customer's name from the pasted example and resubmit.",
]

FEEDBACK_COMMENTS = {
    True: [
        "Worked on my real queue from day one.",
        "The examples from our own product made it stick.",
        "Short and practical; I used it the same afternoon.",
        "",
    ],
    False: [
        "Too generic for my team's work.",
        "The sandbox was down for part of the week.",
        "",
    ],
}
