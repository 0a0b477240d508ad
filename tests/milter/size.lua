-- milter: main
-- expect-log: RCPT client=192.0.2.9 from=<big@example.org>: 552 5.3.4 message size 5000 exceeds the limit of 2000 bytes
-- expect-log: body client=192.0.2.9 from=<big@example.org>: 552 5.3.4 message exceeds the size limit of 2000 bytes
-- max_message_size is 2000 here. A SIZE= parameter over it is refused at RCPT (552
-- 5.3.4) for our recipients only; without SIZE=, counting the bytes refuses the body.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.9")
	local r = pd_envelope(conn, "<big@example.org>", "<support@" .. DOMAIN .. ">", "SIZE=5000")
	if r ~= SMFIR_REPLYCODE then error("declared size not refused") end
	pd_ok(mt.rcptto(conn, "<friend@elsewhere.example>"), "rcptto")
	pd_expect(conn, SMFIR_CONTINUE, "foreign recipient with a big SIZE=")
	mt.abort(conn)

	r = pd_envelope(conn, "<big@example.org>", "<support@" .. DOMAIN .. ">", "SIZE=1500")
	if r ~= SMFIR_CONTINUE then error("size under the limit refused") end
	pd_headers(conn, { { "Subject", "attachment" } })
	pd_ok(mt.bodystring(conn, string.rep("x", 1000) .. "\r\n"), "body")
	pd_expect(conn, SMFIR_CONTINUE, "first 1000 bytes")
	pd_ok(mt.bodystring(conn, string.rep("y", 1500) .. "\r\n"), "body")
	pd_expect(conn, SMFIR_REPLYCODE, "body over the limit")
	mt.disconnect(conn)
end)
