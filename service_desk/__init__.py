"""The service desk: the handoff queue (residents waiting for a person) and residents' signals
(questions the assistant could not answer well, answer ratings).

The action server and the channels write here; the staff console and the reports read here. It
owns its tables so that neither side depends on the other (issue 18: the staff UI no longer owns
tables the bot writes).
"""
