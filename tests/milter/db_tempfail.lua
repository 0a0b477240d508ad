-- milter: db-tempfail
-- expect-log: RCPT client=192.0.2.11 from=<alice@example.org>: 451 4.3.0
-- With an unreadable database and milter_on_db_error = tempfail, a token recipient (which
-- needs the database) gets 451 4.3.0; the queue address (no database needed) passes.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.11")
	local r = pd_envelope(conn, "<alice@example.org>", "<" .. TOKEN_C .. ">")
	if r ~= SMFIR_REPLYCODE then error("token recipient not tempfailed") end
	pd_ok(mt.rcptto(conn, "<support@" .. DOMAIN .. ">"), "rcptto")
	pd_expect(conn, SMFIR_CONTINUE, "queue address")
	r = pd_headers(conn, { { "In-Reply-To", "<first@example.org>" } })
	pd_expect(conn, SMFIR_REPLYCODE, "reference lookup without a database")
	mt.disconnect(conn)
end)
