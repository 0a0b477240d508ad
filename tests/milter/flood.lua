-- milter: main
-- expect-log: end of headers client=198.51.100.77 from=<bot@spam.example>: 451 4.7.1 too many new requests from you, please try again later
-- expect-log: end of headers client=198.51.100.77 from=<bot2@spam.example>: 451 4.7.1
-- expect-log: end of headers client=198.51.100.78 from=<bot@spam.example>: 451 4.7.1
-- The new-ticket flood limit (3 per window here): the 4th new request from one sender
-- gets 451 4.7.1 at end of headers, so does another sender from the same client IP and
-- the same sender from another IP; a reply into a known ticket still passes.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("198.51.100.77")
	for i = 1, 3 do
		local r = pd_new_ticket_mail(conn, "<bot@spam.example>", "deal " .. i)
		if r ~= SMFIR_CONTINUE then error("new request " .. i .. " refused") end
	end
	if pd_new_ticket_mail(conn, "<bot@spam.example>", "deal 4") ~= SMFIR_REPLYCODE then
		error("4th new request not limited")
	end
	if pd_new_ticket_mail(conn, "<bot2@spam.example>", "deal 5") ~= SMFIR_REPLYCODE then
		error("other sender from the same IP not limited")
	end
	-- a reply with a token is no new ticket
	local r = pd_envelope(conn, "<bot@spam.example>", "<" .. TOKEN_C .. ">")
	if r ~= SMFIR_CONTINUE then error("token reply refused") end
	r = pd_headers(conn, { { "Subject", "Re: printer" } })
	pd_expect(conn, SMFIR_CONTINUE, "token reply while flooded")
	mt.disconnect(conn)

	conn = pd_connect("198.51.100.78")
	if pd_new_ticket_mail(conn, "<bot@spam.example>", "deal 6") ~= SMFIR_REPLYCODE then
		error("same sender from another IP not limited")
	end
	if pd_new_ticket_mail(conn, "<human@example.org>", "real question") ~= SMFIR_CONTINUE then
		error("another sender from another IP limited")
	end
	mt.disconnect(conn)
end)
