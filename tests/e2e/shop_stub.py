#!/usr/bin/env python3
"""shop_stub: a stand-in for a WooCommerce REST API on 127.0.0.1:PORT, for
tests/e2e/orders.sh. Usage: shop_stub.py PORT DIR KEY SECRET.

GET /wp-json/wc/v3/orders/<n> with Basic KEY:SECRET answers order 100234 (shipped, with
tracking and two items); order 99999 never answers (the request is written to DIR/hang
and the handler sleeps until DIR/release exists: a shop that hangs); anything else is
404, a wrong key 401. Every request is appended to DIR/requests."""
import base64
import http.server
import json
import os
import sys
import time

PORT, DIR, KEY, SECRET = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
AUTH = "Basic " + base64.b64encode(("%s:%s" % (KEY, SECRET)).encode()).decode()
ORDER = {
    "id": 100234, "status": "shipped", "total": "59.90", "currency": "EUR",
    "meta_data": [{"key": "_tracking_number", "value": "1Z999AA10123456784"}],
    "line_items": [{"name": "Blue mug", "quantity": 2}, {"name": "Tea towel", "quantity": 1}],
}


class Shop(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(os.path.join(DIR, "requests"), "a") as f:
            f.write(self.path + "\n")

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.headers.get("Authorization") != AUTH:
            return self.answer(401, {"code": "unauthorized"})
        if self.path == "/wp-json/wc/v3/orders/100234":
            return self.answer(200, ORDER)
        if self.path == "/wp-json/wc/v3/orders/99999":
            open(os.path.join(DIR, "hang"), "w").close()
            while not os.path.exists(os.path.join(DIR, "release")):
                time.sleep(0.1)
            return self.answer(200, {"status": "too late"})
        return self.answer(404, {"code": "not_found"})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Shop).serve_forever()
