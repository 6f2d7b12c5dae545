"""Thin rasa-sdk actions: read the tracker, call policy_kb, send what it composed."""
