-- milter: main
-- expect-log: RCPT client=192.0.2.10 from=<mallory@example.net>: 550 5.7.1 <TOKEN_AGENT>: agent address, but <mallory@example.net> is not an agent
-- An agent token (role a) is accepted from a registered agent only; anyone else gets
-- 550 5.7.1. Skipped while rcpt_resolve still refuses agent tokens (5.1.1) for all.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.10")
	local r = pd_envelope(conn, "<" .. string.upper(AGENT) .. ">", "<" .. TOKEN_AGENT .. ">")
	if r == SMFIR_REPLYCODE then
		pd_skip("agent token refused for a registered agent: rcpt_resolve does not enable role a yet")
	end
	if r ~= SMFIR_CONTINUE then error("agent token from an agent refused") end
	mt.abort(conn)
	r = pd_envelope(conn, "<mallory@example.net>", "<" .. TOKEN_AGENT .. ">")
	if r ~= SMFIR_REPLYCODE then error("agent token from a non-agent not refused") end
	mt.disconnect(conn)
end)
