-- milter: main
-- expect-log: RCPT client=192.0.2.3 from=<someone@example.org>: 550 5.1.1 <nobody@help.example>: no such mailbox
-- An unknown local part of our domain is refused at RCPT with 550 5.1.1; a second
-- recipient (the queue) in the same transaction is still accepted.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.3")
	local r = pd_envelope(conn, "<someone@example.org>", "<nobody@" .. DOMAIN .. ">")
	if r ~= SMFIR_REPLYCODE then error("unknown local part not refused") end
	pd_ok(mt.rcptto(conn, "<support@" .. DOMAIN .. ">"), "rcptto")
	pd_expect(conn, SMFIR_CONTINUE, "second recipient")
	mt.disconnect(conn)
end)
