"""Benchmarks of the running assistant (make bench): load over REST against a bare-Rasa yardstick,
memory, cold start, training and answer-change times, and a per-message profile.

Benchmarks print figures; they never pass or fail.
"""
