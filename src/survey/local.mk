noinst_LIBRARIES += src/survey/libsurvey.a
src_survey_libsurvey_a_SOURCES = include/postdesk/survey.h \
	src/survey/sync.c src/survey/tick.c src/survey/answer.c \
	src/survey/digest.c
# order lookups and the notices held for them (issue 14)
src_survey_libsurvey_a_SOURCES += src/survey/lookup.c src/survey/orders.c
# the acknowledgements lmtpd leaves to notifyd
src_survey_libsurvey_a_SOURCES += src/survey/acks.c
