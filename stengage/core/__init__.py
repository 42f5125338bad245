"""Cross-cutting helpers used by every feature package: audit, mail, i18n, security, text."""
