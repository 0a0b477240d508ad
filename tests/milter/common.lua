-- common.lua: helpers shared by the postdesk-milter miltertest scripts (loaded with
-- dofile by each script). run.sh defines SOCK (the milter to talk to) and the addresses
-- (DOMAIN, TOKEN_C, TOKEN_BAD, TOKEN_NOTICKET, TOKEN_AGENT, TOKEN_NOTE, TOKEN_B, AGENT, N,
-- AUTHSERV_ID) with miltertest -D.

-- Fail the test with a message unless err (a miltertest return value) is nil.
function pd_ok(err, what)
	if err ~= nil then
		error(what .. ": " .. tostring(err), 2)
	end
end

local names = {
	[SMFIR_CONTINUE] = "CONTINUE", [SMFIR_ACCEPT] = "ACCEPT", [SMFIR_REJECT] = "REJECT",
	[SMFIR_TEMPFAIL] = "TEMPFAIL", [SMFIR_REPLYCODE] = "REPLYCODE",
	[SMFIR_DISCARD] = "DISCARD",
}
local function name(r)
	return names[r] or tostring(r)
end

-- The last reply on conn must be want (an SMFIR_* constant).
function pd_expect(conn, want, what)
	local got = mt.getreply(conn)
	if got ~= want then
		error(string.format("%s: milter answered %s, expected %s", what, name(got),
			name(want)), 2)
	end
end

-- Connect as a client at ip (use a different ip per script: the flood table counts
-- new-ticket mail per client IP for the life of the milter).
function pd_connect(ip)
	local conn = mt.connect(SOCK, 50, 0.1)
	if conn == nil then
		error("cannot connect to " .. SOCK)
	end
	pd_ok(mt.conninfo(conn, "client.example.org", ip), "conninfo")
	pd_expect(conn, SMFIR_CONTINUE, "connect")
	pd_ok(mt.helo(conn, "client.example.org"), "helo")
	pd_expect(conn, SMFIR_CONTINUE, "helo")
	return conn
end

-- MAIL FROM (with optional ESMTP args) and one RCPT TO; returns the RCPT reply.
function pd_envelope(conn, from, rcpt, ...)
	pd_ok(mt.mailfrom(conn, from, ...), "mailfrom")
	pd_expect(conn, SMFIR_CONTINUE, "mailfrom")
	pd_ok(mt.rcptto(conn, rcpt), "rcptto")
	return mt.getreply(conn)
end

-- Send headers (a list of {name, value}), each must be CONTINUE; then EOH, whose reply
-- is returned.
function pd_headers(conn, headers)
	for _, h in ipairs(headers) do
		pd_ok(mt.header(conn, h[1], h[2]), "header " .. h[1])
		pd_expect(conn, SMFIR_CONTINUE, "header " .. h[1])
	end
	pd_ok(mt.eoh(conn), "eoh")
	return mt.getreply(conn)
end

-- Body then end of message; returns the EOM reply.
function pd_finish(conn, body)
	pd_ok(mt.bodystring(conn, body), "body")
	pd_expect(conn, SMFIR_CONTINUE, "body")
	pd_ok(mt.eom(conn), "eom")
	return mt.getreply(conn)
end

-- A whole new-ticket mail from sender at conn; returns the EOH reply (the flood limit).
function pd_new_ticket_mail(conn, from, subject)
	local r = pd_envelope(conn, from, "support@" .. DOMAIN)
	if r ~= SMFIR_CONTINUE then
		error("RCPT to the queue refused: " .. name(r))
	end
	r = pd_headers(conn, { { "From", from }, { "Subject", subject } })
	if r == SMFIR_CONTINUE then
		pd_expect_eom(conn, pd_finish(conn, "hello\r\n"))
	else
		mt.abort(conn)
	end
	return r
end

function pd_expect_eom(conn, r)
	if r ~= SMFIR_CONTINUE and r ~= SMFIR_ACCEPT then
		error("eom: milter answered " .. name(r), 2)
	end
end

-- Run the test body: miltertest exits 1 without a word on a Lua error, so report it.
-- A body may call pd_skip(reason) to report a skip (exit 77) instead.
function pd_run(body)
	local ok, err = pcall(body)
	if not ok then
		if type(err) == "table" and err.skip then
			print("SKIP: " .. err.skip)
			os.exit(77)
		end
		print("FAIL: " .. tostring(err))
		os.exit(1)
	end
	print("ok")
end

function pd_skip(reason)
	error({ skip = reason })
end

-- One message from sender to rcpt with the given headers (a list of {name, value}), up to
-- and including end of headers; returns the EOH reply. The RCPT must be accepted.
function pd_mail_eoh(conn, from, rcpt, headers)
	local r = pd_envelope(conn, "<" .. from .. ">", "<" .. rcpt .. ">")
	if r ~= SMFIR_CONTINUE then
		error("RCPT <" .. rcpt .. "> from <" .. from .. "> refused: " .. name(r), 2)
	end
	return pd_headers(conn, headers)
end

-- The same, carried on to the end of the message, which must be accepted.
function pd_mail_accepted(conn, from, rcpt, headers, what)
	local r = pd_mail_eoh(conn, from, rcpt, headers)
	if r ~= SMFIR_CONTINUE then
		error(what .. ": end of headers answered " .. name(r) .. ", expected CONTINUE", 2)
	end
	pd_expect_eom(conn, pd_finish(conn, "thanks\r\n"))
end

-- The same, refused at end of headers with a reply code (REPLYCODE: the 550 is in the log).
function pd_mail_refused(conn, from, rcpt, headers, what)
	local r = pd_mail_eoh(conn, from, rcpt, headers)
	if r ~= SMFIR_REPLYCODE then
		error(what .. ": end of headers answered " .. name(r) .. ", expected REPLYCODE", 2)
	end
	mt.abort(conn)
end
