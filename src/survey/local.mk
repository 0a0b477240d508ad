noinst_LIBRARIES += src/survey/libsurvey.a
src_survey_libsurvey_a_SOURCES = include/postdesk/survey.h
