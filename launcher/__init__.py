"""Starting the assistant's processes: the one owner of how each is launched, probed, restarted and stopped.

``commands`` writes every command line (Rasa, the action server, the web page, make run itself),
``probes`` says when a process is ready for residents, ``supervisor`` starts, restarts (with
back-off) and stops a set of them, ``startup`` holds the checks every launcher makes before
starting anything, and ``embedded`` is ``make run``. The scaled profile (deploy/stack.py,
deploy/scaled.py), the tests (tests/stack.py, tests/scaled/) and the benchmark (bench/procs.py)
start processes only through these.
"""
