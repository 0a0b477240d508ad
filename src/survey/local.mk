noinst_LIBRARIES += src/survey/libsurvey.a
src_survey_libsurvey_a_SOURCES = include/postdesk/survey.h \
	src/survey/sync.c src/survey/tick.c src/survey/answer.c \
	src/survey/digest.c
