-- milter: authres
-- expect-log: end of headers client=192.0.2.61 from=<bob@help-staff.example>: 550 5.7.1 agent mail failed sender authentication (dmarc=fail)
-- A trusted dmarc=fail refuses agent mail even beside dkim=pass and spf=pass (DMARC has
-- already weighed them: they were not aligned with the From domain).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.61")
	pd_mail_refused(conn, AGENT, TOKEN_AGENT, {
		{ "Authentication-Results", AUTHSERV_ID .. "; dkim=pass header.d=elsewhere.example;"
			.. " spf=pass smtp.mailfrom=elsewhere.example;"
			.. " dmarc=fail (p=reject dis=none) header.from=help-staff.example" },
	}, "dmarc=fail")
	mt.disconnect(conn)
end)
