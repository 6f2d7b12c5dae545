"""The step-by-step eligibility check: which settling pathways apply to a resident, and why.

Plain Python over ``data/eligibility.yml`` (no Rasa): ``evaluate`` reasons over a profile of
answers, ``parse_answer`` reads a free Chinese answer, ``verdict_text`` composes the closing
message. ``python -m policy_kb.eligibility PROFILE.json`` prints a result as JSON.
"""

from policy_kb.eligibility.engine import EligibilityResult, Finding, ProfileError, evaluate, validate_profile
from policy_kb.eligibility.model import DISTRICT_FIELD, UNKNOWN, EligibilityRules
from policy_kb.eligibility.parsing import parse_answer
from policy_kb.eligibility.rules import EligibilityRulesError, load_rules
from policy_kb.eligibility.verdict import verdict_parts, verdict_text

__all__ = [
    "DISTRICT_FIELD",
    "UNKNOWN",
    "EligibilityResult",
    "EligibilityRules",
    "EligibilityRulesError",
    "Finding",
    "ProfileError",
    "evaluate",
    "load_rules",
    "parse_answer",
    "validate_profile",
    "verdict_parts",
    "verdict_text",
]
