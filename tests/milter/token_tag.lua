-- milter: main
-- A reply to a valid customer token passes and is tagged X-Postdesk-Ticket: 1 and
-- X-Postdesk-Verdict at end of message; both forged copies from outside are deleted.
-- It opens no new ticket, so it never counts against the flood limit (limit 3 here).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.6")
	for i = 1, 5 do
		local r = pd_envelope(conn, "<alice@example.org>", "<" .. TOKEN_C .. ">")
		if r ~= SMFIR_CONTINUE then error("valid token refused") end
		r = pd_headers(conn, {
			{ "From", "Alice <alice@example.org>" }, { "Subject", "Re: printer" },
			{ "X-Postdesk-Ticket", "77" }, { "X-Postdesk-Verdict", "trust me" },
			{ "X-Postdesk-Ticket", "78" },
		})
		pd_expect(conn, SMFIR_CONTINUE, "eoh of reply " .. i)
		pd_expect_eom(conn, pd_finish(conn, "still burning\r\n"))
		if not mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket", "1") then
			error("no X-Postdesk-Ticket: 1 added")
		end
		if not mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Verdict", "accepted; rule=token") then
			error("no X-Postdesk-Verdict added")
		end
		if not mt.eom_check(conn, MT_HDRDELETE, "X-Postdesk-Ticket") or
		    not mt.eom_check(conn, MT_HDRDELETE, "X-Postdesk-Verdict") then
			error("forged trace headers not deleted")
		end
	end
	mt.disconnect(conn)
end)
