# templates: the shipped templates, one directory per language (templates/en is the
# fallback); admins override them per file (see doc/templates.md).
templatesendir = $(pkgdatadir)/templates/en
dist_templatesen_DATA = \
	templates/en/ack.txt \
	templates/en/agent_notice.txt \
	templates/en/reply.txt \
	templates/en/note.txt \
	templates/en/bounce_notice.txt \
	templates/en/command_error.txt \
	templates/en/survey.txt \
	templates/en/pending_reminder.txt \
	templates/en/frt_reminder.txt \
	templates/en/recipients_capped.txt \
	templates/en/status_reply.txt \
	templates/en/kb_suggestions.txt

# Macros (canned replies agents insert with "#macro NAME"; doc/agents.md).
templatesenmacrosdir = $(pkgdatadir)/templates/en/macros
dist_templatesenmacros_DATA = \
	templates/en/macros/where-is-my-order.txt \
	templates/en/macros/refund-policy.txt \
	templates/en/macros/need-order-number.txt \
	templates/en/macros/resolved-thanks.txt

# the command address and the digest (issue 13)
dist_templatesen_DATA += templates/en/command_answer.txt
# the admins' alert of postdesk-fetchd (issue 15)
dist_templatesen_DATA += templates/en/mailbox_alert.txt

templatesdedir = $(pkgdatadir)/templates/de
dist_templatesde_DATA = templates/de/ack.txt \
	templates/de/agent_notice.txt \
	templates/de/reply.txt \
	templates/de/note.txt \
	templates/de/bounce_notice.txt \
	templates/de/command_error.txt \
	templates/de/survey.txt \
	templates/de/pending_reminder.txt \
	templates/de/frt_reminder.txt \
	templates/de/recipients_capped.txt \
	templates/de/status_reply.txt \
	templates/de/command_answer.txt \
	templates/de/kb_suggestions.txt

templatesfrdir = $(pkgdatadir)/templates/fr
dist_templatesfr_DATA = templates/fr/ack.txt \
	templates/fr/agent_notice.txt \
	templates/fr/reply.txt \
	templates/fr/note.txt \
	templates/fr/bounce_notice.txt \
	templates/fr/command_error.txt \
	templates/fr/survey.txt \
	templates/fr/pending_reminder.txt \
	templates/fr/frt_reminder.txt \
	templates/fr/recipients_capped.txt \
	templates/fr/status_reply.txt \
	templates/fr/command_answer.txt \
	templates/fr/kb_suggestions.txt

templatesesdir = $(pkgdatadir)/templates/es
dist_templateses_DATA = templates/es/ack.txt \
	templates/es/agent_notice.txt \
	templates/es/reply.txt \
	templates/es/note.txt \
	templates/es/bounce_notice.txt \
	templates/es/command_error.txt \
	templates/es/survey.txt \
	templates/es/pending_reminder.txt \
	templates/es/frt_reminder.txt \
	templates/es/recipients_capped.txt \
	templates/es/status_reply.txt \
	templates/es/command_answer.txt \
	templates/es/kb_suggestions.txt

templatesitdir = $(pkgdatadir)/templates/it
dist_templatesit_DATA = templates/it/ack.txt \
	templates/it/agent_notice.txt \
	templates/it/reply.txt \
	templates/it/note.txt \
	templates/it/bounce_notice.txt \
	templates/it/command_error.txt \
	templates/it/survey.txt \
	templates/it/pending_reminder.txt \
	templates/it/frt_reminder.txt \
	templates/it/recipients_capped.txt \
	templates/it/status_reply.txt \
	templates/it/command_answer.txt \
	templates/it/kb_suggestions.txt

templatesnldir = $(pkgdatadir)/templates/nl
dist_templatesnl_DATA = templates/nl/ack.txt \
	templates/nl/agent_notice.txt \
	templates/nl/reply.txt \
	templates/nl/note.txt \
	templates/nl/bounce_notice.txt \
	templates/nl/command_error.txt \
	templates/nl/survey.txt \
	templates/nl/pending_reminder.txt \
	templates/nl/frt_reminder.txt \
	templates/nl/recipients_capped.txt \
	templates/nl/status_reply.txt \
	templates/nl/command_answer.txt \
	templates/nl/kb_suggestions.txt

# Macros in the five other languages (issue 13): the same names as en/macros, each used
# when the ticket's language is that one (doc/agents.md).
templatesdemacrosdir = $(pkgdatadir)/templates/de/macros
dist_templatesdemacros_DATA = \
	templates/de/macros/where-is-my-order.txt \
	templates/de/macros/refund-policy.txt \
	templates/de/macros/need-order-number.txt \
	templates/de/macros/resolved-thanks.txt
templatesfrmacrosdir = $(pkgdatadir)/templates/fr/macros
dist_templatesfrmacros_DATA = \
	templates/fr/macros/where-is-my-order.txt \
	templates/fr/macros/refund-policy.txt \
	templates/fr/macros/need-order-number.txt \
	templates/fr/macros/resolved-thanks.txt
templatesesmacrosdir = $(pkgdatadir)/templates/es/macros
dist_templatesesmacros_DATA = \
	templates/es/macros/where-is-my-order.txt \
	templates/es/macros/refund-policy.txt \
	templates/es/macros/need-order-number.txt \
	templates/es/macros/resolved-thanks.txt
templatesitmacrosdir = $(pkgdatadir)/templates/it/macros
dist_templatesitmacros_DATA = \
	templates/it/macros/where-is-my-order.txt \
	templates/it/macros/refund-policy.txt \
	templates/it/macros/need-order-number.txt \
	templates/it/macros/resolved-thanks.txt
templatesnlmacrosdir = $(pkgdatadir)/templates/nl/macros
dist_templatesnlmacros_DATA = \
	templates/nl/macros/where-is-my-order.txt \
	templates/nl/macros/refund-policy.txt \
	templates/nl/macros/need-order-number.txt \
	templates/nl/macros/resolved-thanks.txt

# the admins' alert of postdesk-fetchd (issue 15)
dist_templatesde_DATA += templates/de/mailbox_alert.txt
dist_templatesfr_DATA += templates/fr/mailbox_alert.txt
dist_templateses_DATA += templates/es/mailbox_alert.txt
dist_templatesit_DATA += templates/it/mailbox_alert.txt
dist_templatesnl_DATA += templates/nl/mailbox_alert.txt
