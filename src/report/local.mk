noinst_LIBRARIES += src/report/libreport.a
src_report_libreport_a_SOURCES = include/postdesk/report.h src/report/report-private.h \
	src/report/report.c src/report/compute.c src/report/period.c src/report/hist.c src/report/bhours.c src/report/format.c \
	src/report/html.c src/report/json.c src/report/json-private.h
# an order lookup's JSON (issue 14)
src_report_libreport_a_SOURCES += src/report/order.c
