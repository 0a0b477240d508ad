-- pg_milter.lua (tests/e2e/pg_milter.sh): two postdesk-milter processes on one PostgreSQL
-- desk count new requests against one flood limit (3 per window): two through milter A
-- and one through milter B pass, the 4th is refused by B and by A, another sender from
-- that client too; another client still passes.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local function via(sock, ip)
		SOCK = sock
		return pd_connect(ip)
	end
	local a = via(SOCK_A, "198.51.100.77")
	for i = 1, 2 do
		if pd_new_ticket_mail(a, "<bot@spam.example>", "deal " .. i) ~= SMFIR_CONTINUE then
			error("new request " .. i .. " refused by A")
		end
	end
	local b = via(SOCK_B, "198.51.100.77")
	if pd_new_ticket_mail(b, "<bot@spam.example>", "deal 3") ~= SMFIR_CONTINUE then
		error("the 3rd new request refused by B")
	end
	if pd_new_ticket_mail(b, "<bot@spam.example>", "deal 4") ~= SMFIR_REPLYCODE then
		error("the 4th new request not limited by B (each milter counts alone?)")
	end
	if pd_new_ticket_mail(a, "<bot@spam.example>", "deal 5") ~= SMFIR_REPLYCODE then
		error("the 5th new request not limited by A")
	end
	if pd_new_ticket_mail(b, "<bot2@spam.example>", "deal 6") ~= SMFIR_REPLYCODE then
		error("another sender from the same client not limited")
	end
	mt.disconnect(a)
	mt.disconnect(b)
	local c = via(SOCK_B, "198.51.100.78")
	if pd_new_ticket_mail(c, "<human@example.org>", "a real question") ~= SMFIR_CONTINUE then
		error("another client limited")
	end
	mt.disconnect(c)
end)
