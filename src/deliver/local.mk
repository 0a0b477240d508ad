noinst_LIBRARIES += src/deliver/libdeliver.a
src_deliver_libdeliver_a_SOURCES = include/postdesk/deliver.h src/deliver/deliver-private.h \
	src/deliver/rcpt.c src/deliver/deliver.c src/deliver/stored.c src/deliver/committer.c \
	src/deliver/route.c src/deliver/route_agent.c src/deliver/route_bounce.c \
	src/deliver/route_survey.c src/deliver/snapshot.c \
	src/deliver/route_status.c

# the command address (issue 13)
src_deliver_libdeliver_a_SOURCES += src/deliver/route_command.c
# order references and held notices (issue 14)
src_deliver_libdeliver_a_SOURCES += src/deliver/route_orders.c
# self-served: "solved" and the acknowledgement's signed link (issue 14)
src_deliver_libdeliver_a_SOURCES += src/deliver/route_solved.c
# the per-delivery log line (issue 17)
src_deliver_libdeliver_a_SOURCES += src/deliver/logline.c
