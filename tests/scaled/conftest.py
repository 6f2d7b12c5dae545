"""tests/scaled: quick tests (lock store, retention, session settings) run with make test; the fault
drills in drills/ start a whole scaled stack and run only under make chaos (SCALED_DRILLS=1)."""

from tests.scaled.services import DRILLS

collect_ignore = [] if DRILLS else ["drills"]
