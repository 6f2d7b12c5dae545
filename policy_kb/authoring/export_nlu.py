"""Print the Rasa NLU synonyms and lookup tables generated from the glossary (make generate)."""

import sys

from policy_kb.glossary import rasa_nlu_yaml
from policy_kb.loader import load_kb


def main() -> int:
    sys.stdout.write(rasa_nlu_yaml(load_kb().glossary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
