-- milter: main
-- Without milter_authserv_id (the default) the check is off: agent mail whose
-- Authentication-Results say fail under the id the authres milter trusts goes on.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.65")
	pd_mail_accepted(conn, AGENT, TOKEN_AGENT, { { "Authentication-Results",
		AUTHSERV_ID .. "; dkim=fail; spf=fail; dmarc=fail" } }, "check off")
	mt.disconnect(conn)
end)
