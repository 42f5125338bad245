"""Flags, the moderators' queue, hiding and blocking, triage, merging duplicates, the audit log."""
