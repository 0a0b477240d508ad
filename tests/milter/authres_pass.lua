-- milter: authres
-- Agent mail that passes, or whose trusted results are only soft, goes on: dkim=pass;
-- dkim=fail beside spf=pass (a second method proves the sender); none, neutral,
-- softfail, temperror, permerror (not proof of forgery); no Authentication-Results at
-- all. The reply is tagged with its ticket as usual.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.62")
	local ar = "Authentication-Results"
	local cases = {
		{ "dkim=pass", { { ar, AUTHSERV_ID .. "; dkim=pass (2048-bit key; unprotected)"
			.. " header.d=help-staff.example header.b=\"AbCd+/12\"" } } },
		{ "dkim=fail, spf=pass", {
			{ ar, AUTHSERV_ID .. "; dkim=fail header.d=help-staff.example" },
			{ ar, AUTHSERV_ID .. "; spf=pass smtp.mailfrom=" .. AGENT } } },
		{ "soft results", { { ar, AUTHSERV_ID .. "; dkim=neutral; spf=softfail;"
			.. " dkim=temperror; spf=permerror; dmarc=none; iprev=fail" } } },
		{ "none", { { ar, AUTHSERV_ID .. "; none" } } },
		{ "no header", { { "Subject", "no results at all" } } },
	}
	for _, case in ipairs(cases) do
		pd_mail_accepted(conn, AGENT, TOKEN_AGENT, case[2], case[1])
	end
	-- the reply still gets its trace headers at the end of the message
	if not mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket", "1") then
		error("the last reply was not tagged with ticket 1")
	end
	mt.disconnect(conn)
end)
