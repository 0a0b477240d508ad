-- milter: main
-- expect-log: end of headers client=192.0.2.8 from=<bounce@example.org>: 554 5.4.6 mail loop detected (X-Postdesk-Loop)
-- expect-log: end of headers client=192.0.2.8 from=<relay@example.org>: 554 5.4.6 mail loop detected (too many Received headers)
-- Our own loop header, or more than 5 Received headers naming our host, is a loop:
-- 554 5.4.6 at end of headers. Five such Received headers, or a loop header naming
-- another domain, are fine.
dofile(LIBDIR .. "/common.lua")
local function received(n)
	local list = {}
	for i = 1, n do
		list[i] = { "Received", "from mx" .. i .. ".example.org by " .. string.upper(DOMAIN) ..
			" with ESMTP id " .. i }
	end
	return list
end
pd_run(function()
	local conn = pd_connect("192.0.2.8")
	pd_envelope(conn, "<bounce@example.org>", "<support@" .. DOMAIN .. ">")
	local r = pd_headers(conn, { { "Subject", "Re: ack" }, { "X-Postdesk-Loop", " " .. DOMAIN } })
	if r ~= SMFIR_REPLYCODE then error("loop header not refused") end

	mt.abort(conn)
	pd_envelope(conn, "<relay@example.org>", "<support@" .. DOMAIN .. ">")
	r = pd_headers(conn, received(6))
	if r ~= SMFIR_REPLYCODE then error("6 Received headers not refused") end

	mt.abort(conn)
	pd_envelope(conn, "<relay@example.org>", "<support@" .. DOMAIN .. ">")
	local hdrs = received(5)
	table.insert(hdrs, { "X-Postdesk-Loop", "other.example" })
	r = pd_headers(conn, hdrs)
	pd_expect(conn, SMFIR_CONTINUE, "5 Received headers and a foreign loop header")
	mt.disconnect(conn)
end)
