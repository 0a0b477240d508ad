-- milter: main
-- A reply to the queue address whose References name a stored Message-ID is placed in
-- that ticket (X-Postdesk-Ticket: 1, rule=message-id); In-Reply-To works alike. Such
-- replies are not new tickets: more of them than the flood limit (3) all pass.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.7")
	local variants = {
		{ "References", "<unknown@example.org>\r\n\t<first@example.org>" },
		{ "In-Reply-To", "<first@example.org>" },
		{ "References", "<first@example.org> <later@nowhere.example>" },
		{ "In-Reply-To", "Alice's message of today <first@example.org>" },
	}
	for i, h in ipairs(variants) do
		local r = pd_envelope(conn, "<alice@example.org>", "<support@" .. DOMAIN .. ">")
		if r ~= SMFIR_CONTINUE then error("queue address refused") end
		r = pd_headers(conn, { { "From", "alice@example.org" }, h })
		pd_expect(conn, SMFIR_CONTINUE, "eoh of reply " .. i)
		pd_expect_eom(conn, pd_finish(conn, "thanks\r\n"))
		if not mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Ticket", "1") or
		    not mt.eom_check(conn, MT_HDRADD, "X-Postdesk-Verdict",
			"accepted; rule=message-id") then
			error("reply " .. i .. " (" .. h[1] .. ") not tagged with ticket 1")
		end
	end
	mt.disconnect(conn)
end)
