# templates: the shipped English templates; admins override them per file (see doc/templates.md).
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
