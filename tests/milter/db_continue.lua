-- milter: db-continue
-- With an unreadable database and milter_on_db_error = continue, the checks that need it
-- are skipped: the token recipient and the reference lookup pass, and nothing is tagged.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.12")
	local r = pd_envelope(conn, "<alice@example.org>", "<" .. TOKEN_C .. ">")
	if r ~= SMFIR_CONTINUE then error("token recipient refused") end
	r = pd_headers(conn, { { "In-Reply-To", "<first@example.org>" } })
	pd_expect(conn, SMFIR_CONTINUE, "eoh")
	pd_expect_eom(conn, pd_finish(conn, "hi\r\n"))
	if mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket") then
		error("tagged without a database")
	end
	mt.disconnect(conn)
end)
