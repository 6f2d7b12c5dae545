"""The web process: the resident chat page (webchat/dist) and the hotline staff console at /staff/.

It hosts the console (console/), so it sits above it; the Rasa side (bot/) never imports it. The
launcher starts it as ``python -m web.server``.
"""
