"""Knowing, without a query per request, whether what a process has cached is still current.

Writers note what they changed (a schedule version, an attendee's agenda); the process that
wrote learns it at commit, every other process within one poll (`watcher.py`).
"""
