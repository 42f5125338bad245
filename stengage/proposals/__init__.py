"""The resident-facing core: proposals, supports, comments, follows and notifications."""
