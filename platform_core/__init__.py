"""The bottom layer: what every other package shares and nothing domain-specific.

- :mod:`platform_core.paths`: where the repository and its run-time directories are;
- :mod:`platform_core.settings`: the one typed settings object, read once from the environment,
  and the start-up check that refuses a production deployment with a default secret;
- :mod:`platform_core.db` and :mod:`platform_core.schema`: database engines and sessions, and
  each store's schema kept at its newest Alembic revision;
- :mod:`platform_core.redaction`: the shapes of ID and mobile numbers and their redaction.

Named for what it is (the platform the domain runs on), not "shared" or "common", which say only
that something is used twice; not ``platform``, which would shadow the standard library's module.
It imports the standard library, SQLAlchemy and Alembic, and no package of this repository.
"""
