"""The schema history of the project's own databases, as Alembic revisions (Rasa's tables are Rasa's).

One environment (env.py) and one line of revisions per store, each in its own folder: status/,
console/, wechat_seen/ (platform_core.schema says what each holds). Nothing that serves residents
or staff imports this package: platform_core.schema runs the revisions by path, and only the
migration command (deploy/migrate.py), autogenerate (env.py) and the tests read stores.py.
"""
