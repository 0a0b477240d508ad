-- milter: main
-- Mail for other domains passes untouched: RCPT continues even for an address that
-- would be refused in our domain, and at end of headers the milter steps aside (ACCEPT).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.2")
	local r = pd_envelope(conn, "<someone@example.org>", "<nobody@elsewhere.example>")
	if r ~= SMFIR_CONTINUE then error("foreign recipient not passed") end
	pd_headers(conn, { { "X-Postdesk-Loop", DOMAIN }, { "Subject", "not for us" } })
	pd_expect(conn, SMFIR_ACCEPT, "eoh for a foreign-only message")
	mt.disconnect(conn)
end)
