"""YAML reading for the knowledge base: libyaml's C loader when PyYAML has it.

The pure-Python SafeLoader is several times slower at reading the knowledge base (make bench's
profile), and every process pays this at start and again on each publish.
"""

from typing import IO, Any, Union

import yaml

YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(stream: Union[str, IO]) -> Any:
    """Like ``yaml.safe_load``: plain data only, no arbitrary objects."""
    return yaml.load(stream, Loader=YAML_LOADER)
