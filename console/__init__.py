"""The people behind the assistant: the staff console, the handoff queue and what residents ask
that the assistant could not answer. Plain Python and SQLAlchemy; no Rasa import here."""
