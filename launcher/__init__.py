"""Starting the assistant's processes (make run, the scaled profile, the tests and the benchmark)."""
