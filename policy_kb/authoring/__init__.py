"""Tools for the people who write the policy data, which the running assistant never imports.

Checking (``check``, ``faq_lint``, ``faq_similar`` over ``similarity``), editing (``faq_edit``,
``faq_source``), spreadsheets (``faq_sheet``, ``faq_xlsx``, ``faq_import``), publishing and rolling
back versions (``publish``, ``publish_store``, ``publish_diff``, ``faq_release``), and what Rasa's
training data must agree with (``training_data``, ``export_nlu``). Used by the ``make faq-*``,
``make generate`` and ``make train`` targets, the launcher (``publish ensure``, as a command) and the
staff console's answers library. Rules: the import-linter contracts in pyproject.toml.
"""
