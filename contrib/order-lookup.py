#!/usr/bin/env python3
"""order-lookup: postdesk's order_lookup for a WooCommerce- or Shopify-style REST API.

postdesk-notifyd runs it (without a shell, as the daemon user, with a timeout and an
output cap: doc/orders.md) with an order reference as its last argument, and reads one
JSON object from stdout:

    {"status": "...", "tracking": "...", "total": "59.90", "currency": "EUR",
     "items": [{"name": "Mug", "quantity": 2}]}

Any failure is a message on stderr and a non-zero exit: the agent notice then says the
lookup failed. Python 3 standard library only.

Configuration: an INI file given with --config (the daemon runs it with a fixed, minimal
environment, so this is the way for postdesk), else the environment variables
POSTDESK_SHOP_API, POSTDESK_SHOP_URL, POSTDESK_SHOP_KEY, POSTDESK_SHOP_SECRET (for trying
it by hand):

    [shop]
    api = woocommerce          ; or shopify
    url = https://shop.example.com
    key = ck_...               ; WooCommerce consumer key / Shopify access token
    secret = cs_...            ; WooCommerce consumer secret (unused by Shopify)
    timeout = 8                ; seconds for the HTTP request (keep it under order_lookup_timeout)

    order_lookup = /usr/share/postdesk/contrib/order-lookup.py --config /etc/postdesk/shop.ini

Keep the file readable by the daemon user only (it holds the API key).
"""
import argparse
import base64
import configparser
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

SHOPIFY_VERSION = "2024-01"
REF_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def fail(msg):
    print("order-lookup: " + msg, file=sys.stderr)
    sys.exit(1)


def settings(path):
    env = os.environ
    s = {
        "api": env.get("POSTDESK_SHOP_API", "woocommerce"),
        "url": env.get("POSTDESK_SHOP_URL", ""),
        "key": env.get("POSTDESK_SHOP_KEY", ""),
        "secret": env.get("POSTDESK_SHOP_SECRET", ""),
        "timeout": env.get("POSTDESK_SHOP_TIMEOUT", "8"),
    }
    if path:
        cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
        if not cp.read(path):
            fail("cannot read " + path)
        if "shop" not in cp:
            fail(path + ": no [shop] section")
        s.update({k: v for k, v in cp["shop"].items() if k in s})
    if not s["url"].startswith(("http://", "https://")):
        fail("no shop url (http:// or https://)")
    if s["api"] not in ("woocommerce", "shopify"):
        fail("api is woocommerce or shopify, not " + s["api"])
    try:
        s["timeout"] = float(s["timeout"])
    except ValueError:
        fail("timeout is a number of seconds")
    return s


def get(s, path, headers):
    req = urllib.request.Request(s["url"].rstrip("/") + path, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=s["timeout"]) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        fail("HTTP %d from the shop" % e.code)
    except (urllib.error.URLError, OSError) as e:
        fail("shop unreachable: %s" % getattr(e, "reason", e))
    except ValueError:
        fail("the shop's answer is not JSON")


def woocommerce(s, ref):
    number = ref[4:] if ref.upper().startswith("ORD-") else ref
    if not number.isdigit():
        return None
    auth = base64.b64encode(("%s:%s" % (s["key"], s["secret"])).encode()).decode()
    o = get(s, "/wp-json/wc/v3/orders/" + urllib.parse.quote(number),
            {"Authorization": "Basic " + auth, "Accept": "application/json"})
    if not isinstance(o, dict):
        return None
    tracking = ""
    for m in o.get("meta_data") or []:  # the common shipment-tracking plugins
        if isinstance(m, dict) and m.get("key") in ("_tracking_number", "tracking_number"):
            tracking = str(m.get("value") or "")
    return {
        "status": o.get("status", ""),
        "tracking": tracking,
        "total": o.get("total", ""),
        "currency": o.get("currency", ""),
        "items": [{"name": i.get("name", ""), "quantity": i.get("quantity", 1)}
                  for i in o.get("line_items") or [] if isinstance(i, dict)],
    }


def shopify(s, ref):
    q = urllib.parse.urlencode({"name": ref, "status": "any"})
    r = get(s, "/admin/api/%s/orders.json?%s" % (SHOPIFY_VERSION, q),
            {"X-Shopify-Access-Token": s["key"], "Accept": "application/json"})
    orders = (r or {}).get("orders") or []
    if not orders or not isinstance(orders[0], dict):
        return None
    o = orders[0]
    tracking = ""
    for f in o.get("fulfillments") or []:
        if isinstance(f, dict) and f.get("tracking_number"):
            tracking = f["tracking_number"]
    status = o.get("fulfillment_status") or o.get("financial_status") or ""
    if o.get("cancelled_at"):
        status = "cancelled"
    return {
        "status": status,
        "tracking": tracking,
        "total": o.get("total_price", ""),
        "currency": o.get("currency", ""),
        "items": [{"name": i.get("title", ""), "quantity": i.get("quantity", 1)}
                  for i in o.get("line_items") or [] if isinstance(i, dict)],
    }


def main():
    ap = argparse.ArgumentParser(description="postdesk order_lookup for a shop's REST API")
    ap.add_argument("--config", help="INI file with a [shop] section")
    ap.add_argument("ref", help="the order reference postdesk found")
    a = ap.parse_args()
    ref = a.ref.lstrip("#")
    if not REF_OK.match(ref):
        fail("not an order reference: %r" % a.ref)
    s = settings(a.config)
    order = (woocommerce if s["api"] == "woocommerce" else shopify)(s, ref)
    if order is None:
        order = {"status": "not found in the shop"}
    json.dump(order, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
