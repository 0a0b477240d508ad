-- milter: main
-- expect-log: RCPT client=192.0.2.4 from=<forger@example.net>: 550 5.7.1
-- A token address whose MAC does not verify is refused with 550 5.7.1 (never guessed
-- into a ticket).
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.4")
	local r = pd_envelope(conn, "<forger@example.net>", "<" .. TOKEN_BAD .. ">")
	if r ~= SMFIR_REPLYCODE then error("forged token not refused") end
	mt.disconnect(conn)
end)
