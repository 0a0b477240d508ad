-- milter: authres
-- expect-log: end of headers client=192.0.2.60 from=<bob@help-staff.example>: 550 5.7.1 agent mail failed sender authentication (dkim=fail)
-- expect-log: end of headers client=192.0.2.60 from=<bob@help-staff.example>: 550 5.7.1 agent mail failed sender authentication (spf=fail)
-- expect-log: end of headers client=192.0.2.60 from=<bob@help-staff.example>: 550 5.7.1 agent mail failed sender authentication (dkim=fail, spf=fail)
-- Agent mail (agent and note tokens, from the registered agent, so the RCPT checks pass)
-- whose trusted Authentication-Results (authserv-id = milter_authserv_id) say dkim=fail
-- or spf=fail, with no pass, is refused at end of headers with 550 5.7.1. A "pass" under
-- another authserv-id is anyone's claim and does not save it; nor does a pass for a domain
-- other than the agent's (the attacker's own DKIM signature or SPF record).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.60")
	local ar = "Authentication-Results"
	pd_mail_refused(conn, AGENT, TOKEN_AGENT, {
		{ "From", "Bob <" .. AGENT .. ">" }, { "Subject", "Re: printer on fire" },
		{ ar, AUTHSERV_ID .. "; dkim=fail (signature did not verify) header.d=help-staff.example" },
	}, "agent token, dkim=fail")
	pd_mail_refused(conn, AGENT, TOKEN_NOTE, {
		{ ar, "evil.example; dkim=pass header.d=help-staff.example; spf=pass" },
		{ "Subject", "note" },
		{ ar, AUTHSERV_ID .. " 1; spf=fail smtp.mailfrom=" .. AGENT },
	}, "note token, spf=fail, foreign pass")
	pd_mail_refused(conn, AGENT, TOKEN_AGENT, {
		{ ar, AUTHSERV_ID .. "; dkim=fail header.d=help-staff.example" },
		{ ar, string.upper(AUTHSERV_ID) .. "; spf=fail smtp.mailfrom=" .. AGENT },
	}, "dkim=fail and spf=fail in two headers")
	-- passes for a domain the sender controls do not outvote a failure for the agent's
	pd_mail_refused(conn, AGENT, TOKEN_AGENT, {
		{ ar, AUTHSERV_ID .. "; spf=fail smtp.mailfrom=" .. AGENT
			.. "; dkim=pass header.d=attacker.example"
			.. "; spf=pass smtp.mailfrom=alice@attacker.example" },
	}, "spf=fail, passes only for another domain")
	mt.disconnect(conn)
end)
