-- milter: main
-- A bounce to a VERP token (role b: an outbox row, not a ticket; 77 is no ticket here)
-- passes without a ticket lookup, is not tagged, and never counts as a new ticket:
-- more bounces than the flood limit (3) from one client all pass.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.13")
	for i = 1, 5 do
		local r = pd_envelope(conn, "<>", "<" .. TOKEN_B .. ">")
		if r ~= SMFIR_CONTINUE then error("bounce token refused") end
		r = pd_headers(conn, { { "From", "MAILER-DAEMON@example.org" },
			{ "Subject", "Undelivered Mail Returned to Sender" } })
		pd_expect(conn, SMFIR_CONTINUE, "eoh of bounce " .. i)
		pd_expect_eom(conn, pd_finish(conn, "could not deliver\r\n"))
		if mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket") then
			error("bounce tagged with a ticket")
		end
	end
	mt.disconnect(conn)
end)
