noinst_LIBRARIES += src/notify/libnotify.a
src_notify_libnotify_a_SOURCES = include/postdesk/notify.h \
	src/notify/template.c \
	src/notify/build.c \
	src/notify/smtp.c \
	src/notify/outbox.c
src_notify_libnotify_a_SOURCES += src/notify/compose-private.h src/notify/compose.c \
	src/notify/compose_events.c src/notify/compose_agent.c
# surveys and follow-ups (survey engineer)
src_notify_libnotify_a_SOURCES += src/notify/compose_survey.c
