noinst_LIBRARIES += src/ingest/libingest.a
src_ingest_libingest_a_SOURCES = include/postdesk/ingest.h \
	src/ingest/lmtp_session.c \
	src/ingest/lmtp_server.c
src_ingest_libingest_a_SOURCES += src/ingest/rcpt.c src/ingest/delivery.c \
	src/ingest/committer.c src/ingest/lmtp_backend.c
src_ingest_libingest_a_SOURCES += src/ingest/milter.c src/ingest/milter_policy.c \
	src/ingest/milter_authres.c src/ingest/milter-private.h
src_ingest_libingest_a_SOURCES += src/ingest/route-private.h src/ingest/route.c src/ingest/route_agent.c
src_ingest_libingest_a_SOURCES += src/ingest/route_survey.c
