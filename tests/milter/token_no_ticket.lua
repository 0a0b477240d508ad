-- milter: main
-- expect-log: 550 5.1.1 <TOKEN_NOTICKET>: no such ticket
-- A correctly signed token for a ticket that does not exist is refused with 550 5.1.1.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.5")
	local r = pd_envelope(conn, "<alice@example.org>", "<" .. TOKEN_NOTICKET .. ">")
	if r ~= SMFIR_REPLYCODE then error("token of a missing ticket not refused") end
	mt.disconnect(conn)
end)
