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
	templates/en/recipients_capped.txt

# the command address and the digest (issue 13)
dist_templatesen_DATA += templates/en/command_answer.txt
