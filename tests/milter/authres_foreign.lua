-- milter: authres
-- Authentication-Results under another authserv-id are ignored, whatever they say (anyone
-- outside can write them), including an id that merely starts with ours. A header under
-- our id that cannot be read is ignored too (our MTA does not write malformed ones).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.63")
	local ar = "Authentication-Results"
	pd_mail_accepted(conn, AGENT, TOKEN_AGENT, {
		{ ar, "evil.example; dkim=fail; spf=fail; dmarc=fail" },
	}, "foreign fail")
	pd_mail_accepted(conn, AGENT, TOKEN_NOTE, {
		{ ar, AUTHSERV_ID .. ".evil.example; dmarc=fail" },
		{ ar, "\"" .. AUTHSERV_ID .. "x\"; dkim=fail" },
	}, "look-alike ids")
	pd_mail_accepted(conn, AGENT, TOKEN_AGENT, {
		{ ar, AUTHSERV_ID .. "; dkim=fail (unterminated comment" },
	}, "malformed, ours")
	mt.disconnect(conn)
end)
