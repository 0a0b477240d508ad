# systemd units, sysusers.d and tmpfiles.d (issue 17). The .in files get the install paths
# and the service type (notify with libsystemd, else simple) at build time. A new daemon
# adds its unit to POSTDESK_UNITS (one line) and a .service.in beside these.
POSTDESK_UNITS = contrib/systemd/postdesk-lmtpd.service contrib/systemd/postdesk-notifyd.service \
	contrib/systemd/postdesk-milter.service contrib/systemd/postdesk-fetchd.service
systemdsystemunit_DATA = $(POSTDESK_UNITS)
sysusers_DATA = contrib/systemd/postdesk.conf
tmpfiles_DATA = contrib/systemd/tmpfiles/postdesk.conf

postdesk_subst = sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' \
	-e 's|@SYSTEMD_SERVICE_TYPE[@]|$(SYSTEMD_SERVICE_TYPE)|g'
# each unit from its .in beside it in the source tree
$(POSTDESK_UNITS): Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && \
		$(postdesk_subst) $(top_srcdir)/$@.in >$@.tmp && mv $@.tmp $@
# sysusers.d and tmpfiles.d files are named after the package
contrib/systemd/postdesk.conf: $(top_srcdir)/contrib/systemd/postdesk.sysusers
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd && cp $(top_srcdir)/contrib/systemd/postdesk.sysusers $@
contrib/systemd/tmpfiles/postdesk.conf: $(top_srcdir)/contrib/systemd/postdesk.tmpfiles.in Makefile
	$(AM_V_GEN)$(MKDIR_P) contrib/systemd/tmpfiles && \
		$(postdesk_subst) $(top_srcdir)/contrib/systemd/postdesk.tmpfiles.in >$@.tmp && mv $@.tmp $@
CLEANFILES += $(POSTDESK_UNITS) contrib/systemd/postdesk.conf contrib/systemd/tmpfiles/postdesk.conf

# make install: a sample configuration beside the real one (never overwritten) and the
# state directory; the daemons' user is made by sysusers.d or the package (not by make).
install-data-local:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/postdesk $(DESTDIR)$(localstatedir)/lib/postdesk
	$(INSTALL_DATA) $(top_srcdir)/contrib/postdesk.conf \
		$(DESTDIR)$(sysconfdir)/postdesk/postdesk.conf.sample
uninstall-local:
	rm -f $(DESTDIR)$(sysconfdir)/postdesk/postdesk.conf.sample
