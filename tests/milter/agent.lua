-- milter: main
-- expect-log: RCPT client=192.0.2.10 from=<mallory@example.net>: 550 5.7.1 <TOKEN_AGENT>: agent address, but <mallory@example.net> is not an agent
-- expect-log: RCPT client=192.0.2.10 from=<mallory@example.net>: 550 5.7.1 <TOKEN_NOTE>: agent address, but <mallory@example.net> is not an agent
-- Agent and note tokens (roles a, n) are accepted from a registered agent only (the
-- envelope sender, compared case-insensitively); anyone else gets 550 5.7.1.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local conn = pd_connect("192.0.2.10")
	for _, token in ipairs({ TOKEN_AGENT, TOKEN_NOTE }) do
		local r = pd_envelope(conn, "<" .. string.upper(AGENT) .. ">", "<" .. token .. ">")
		if r ~= SMFIR_CONTINUE then error(token .. " from the agent refused") end
		mt.abort(conn)
		r = pd_envelope(conn, "<mallory@example.net>", "<" .. token .. ">")
		if r ~= SMFIR_REPLYCODE then error(token .. " from a non-agent not refused") end
		mt.abort(conn)
	end
	mt.disconnect(conn)
end)
