-- milter: main
-- Two new requests from client 203.0.113.N (N from run.sh, 0 when run alone), under the
-- flood limit of 3: both pass. run.sh starts 20 of these at once with different N, so
-- the shared flood table is updated by many sessions concurrently.
dofile(LIBDIR .. "/common.lua")
pd_run(function()
	local n = N or "0"
	local conn = pd_connect("203.0.113." .. n)
	for i = 1, 2 do
		local from = "<p" .. n .. "@parallel.example>"
		if pd_new_ticket_mail(conn, from, "question " .. i) ~= SMFIR_CONTINUE then
			error("new request " .. i .. " from client " .. n .. " limited")
		end
	end
	mt.disconnect(conn)
end)
