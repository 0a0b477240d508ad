-- milter: main
-- A new request to the queue address passes every stage. No trace header is added (the
-- ticket is not known yet), but a forged X-Postdesk-Ticket from outside is deleted.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.1")
	local r = pd_envelope(conn, "<new@example.org>", "<support@" .. DOMAIN .. ">")
	if r ~= SMFIR_CONTINUE then error("queue address refused") end
	r = pd_headers(conn, {
		{ "From", "New <new@example.org>" }, { "Subject", "hello" },
		{ "X-Postdesk-Ticket", "1" },
	})
	pd_expect(conn, SMFIR_CONTINUE, "eoh")
	pd_expect_eom(conn, pd_finish(conn, "a new question\r\n"))
	if mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket") or
	    mt.eom_check(conn, MT_HDRINSERT, "X-Postdesk-Ticket") then
		error("trace header added for a new ticket")
	end
	if not mt.eom_check(conn, MT_HDRDELETE, "X-Postdesk-Ticket") then
		error("forged X-Postdesk-Ticket not deleted")
	end
	mt.disconnect(conn)
end)
