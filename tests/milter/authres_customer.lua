-- milter: authres
-- Customer mail is never refused by the Authentication-Results check, even when our own
-- MTA says it failed (forwarders and mailing lists break honest customers' DKIM and SPF):
-- a reply with a customer token, and a new request to the queue address.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.64")
	local fail = { { "Authentication-Results",
		AUTHSERV_ID .. "; dkim=fail; spf=fail; dmarc=fail header.from=example.org" } }
	pd_mail_accepted(conn, "alice@example.org", TOKEN_C, fail, "customer token")
	pd_mail_accepted(conn, "carol@example.org", "support@" .. DOMAIN, fail, "new request")
	mt.disconnect(conn)
end)
