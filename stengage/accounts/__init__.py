"""Users, login, registration, memberships in areas and residency verification."""
