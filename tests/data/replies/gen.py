#!/usr/bin/env python3
"""Writes the reply corpus of tests/data/replies/ (see README): for each language in
locales.py and each mail client below, one reply as that client sends it (NAME.eml), the new
text a reader should see (NAME.expected) and a line of INDEX ("NAME LOCALE CLIENT FORM").
Run from this directory; the output is committed, so the test does not need Python."""
import email.policy
import html
import os
import textwrap
from email.headerregistry import Address
from email.message import EmailMessage

from locales import L, SUP_ADDR, SUP_NAME

POLICY = email.policy.default.clone(linesep="\n", max_line_length=998)
LONG_NAME = "Nordlicht Shop GmbH Kundenservice und Versand Team Hamburg-Altona"
LIST_FOOTER = ["__", "Nordlicht community list - community@lists.shop.example",
               "Unsubscribe: https://lists.shop.example/community/leave", "__"]


def fill(s, d):
    return s.format(N=SUP_NAME, A=SUP_ADDR, C=d["cust"][0], CA=d["cust"][1])


def q(lines, prefix="> "):
    return [prefix + l if l else prefix.rstrip() for l in lines]


def esc(s):
    return html.escape(s, quote=False)


def header_block(d, names, sent, from_value=None, space=False):
    sep = " : " if space else ": "
    f, s, t, subj = names
    return [f + sep + (from_value or f"{SUP_NAME} <{SUP_ADDR}>"), s + sep + sent,
            t + sep + f"{d['cust'][0]} <{d['cust'][1]}>", subj + sep + d["subj"]]


def zim_block(d):
    f, t, s, subj = d["zim"]
    return [f"{f}: \"{SUP_NAME}\" <{SUP_ADDR}>", f"{t}: \"{d['cust'][0]}\" <{d['cust'][1]}>",
            f"{s}: {d['zimdate']}", f"{subj}: {d['subj']}"]


def sam_block(d):
    f, dt, t, subj = d["sam"]
    sep = " : " if d.get("samspace") else ": "
    return [f"{f}{sep}{SUP_NAME} <{SUP_ADDR}> ", f"{dt}{sep}{d['samdate']} ",
            f"{t}{sep}{d['cust'][0]} <{d['cust'][1]}> ", f"{subj}{sep}{d['subj']} "]


def gmail_wrapped(attr, i):
    """Gmail's plain-text part hard-wraps a long attribution; where depends on its length."""
    tail = f"<{SUP_ADDR}>:"
    if attr.endswith(" :"):
        return [attr[:-2], ":"]
    if attr.endswith(tail):
        head = attr[: -len(tail)]
        return [head + tail[:-2], ">:"] if i % 2 == 0 else [head.rstrip(), tail]
    return textwrap.wrap(attr, width=60, break_long_words=False, break_on_hyphens=False)


def html_divs(lines, cls=None):
    a = f' class="{cls}"' if cls else ""
    return "".join(f"<div{a}>{esc(l)}</div>" if l else f"<div{a}><br></div>" for l in lines)


def html_paras(lines):
    paras, cur = [], []
    for l in lines + [""]:
        if l:
            cur.append(esc(l))
        elif cur:
            paras.append("<p>" + "<br>\n".join(cur) + "</p>")
            cur = []
    return "\n".join(paras)


def word_paras(lines, lang):
    return "\n".join(f'<p class="MsoNormal"><span lang="{lang.upper()}">{esc(l)}<o:p></o:p></span></p>'
                     if l else '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>' for l in lines)


# ---- the clients: each returns (text, html, mailer, extra) ----

def gmail_html(lang, d, r, i):
    attr = fill(d["gmail"], d)
    text = r + [""] + [attr] + [""] + q(d["orig"])
    h = (f'<div dir="ltr">{html_divs(r)}</div><br><div class="gmail_quote gmail_quote_container">'
         f'<div dir="ltr" class="gmail_attr">{esc(attr)}<br></div><blockquote class="gmail_quote" '
         f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
         f'{"<br>".join(esc(l) for l in d["orig"])}</blockquote></div>')
    return text, h, None, {}


def gmail_text(lang, d, r, i):
    return r + [""] + gmail_wrapped(fill(d["gmail"], d), i) + [""] + q(d["orig"]), None, None, {}


def outlook_html(lang, d, r, i):
    f, s, t, subj = d["ol"]
    sep = "&nbsp;:" if d.get("olspace") else ":"
    rows = [(f, f"{SUP_NAME} &lt;{SUP_ADDR}&gt;"), (s, esc(d["olsent"])),
            (t, f"{esc(d['cust'][0])} &lt;{d['cust'][1]}&gt;"), (subj, esc(d["subj"]))]
    hdr = "<br>\n".join(f"<b>{esc(k)}{sep}</b> {v}" for k, v in rows)
    h = (f'<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><meta name="Generator" '
         f'content="Microsoft Word 15 (filtered medium)"></head><body lang="{lang.upper()}" link="#0563C1">'
         f'<div class="WordSection1">\n{word_paras(r, lang)}\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
         f'<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
         f'<p class="MsoNormal">{hdr}<o:p></o:p></p></div></div>\n<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
         f'{word_paras(d["orig"], lang)}\n</div></body></html>')
    text = r + [""] + header_block(d, d["ol"], d["olsent"], space=d.get("olspace")) + [""] + d["orig"]
    return text, h, "Microsoft Outlook 16.0", {}


def outlook_text(lang, d, r, i):
    blk = header_block(d, d["ol"], d["olsent"], space=d.get("olspace"))
    form = i % 3
    if form == 0:
        top = ["_" * 32]
    elif form == 1:
        top = [d["olsep"]]
        blk = header_block(d, d["ol"], d["olsent"], from_value=f"{SUP_NAME} [mailto:{SUP_ADDR}]",
                           space=d.get("olspace"))
    else:  # Outlook wraps a long From value onto a line of its own
        top = []
        sep = " : " if d.get("olspace") else ": "
        blk = [d["ol"][0] + sep + LONG_NAME, f"<{SUP_ADDR}>"] + blk[1:]
    return r + [""] + top + blk + [""] + d["orig"], None, "Microsoft Outlook 16.0", {}


def owa_html(lang, d, r, i):
    f, s, t, subj = d["ol"]
    h = (f'<html><head><style type="text/css">P {{margin-top:0;margin-bottom:0;}}</style></head><body dir="ltr">'
         f'{html_divs(r, "elementToProof")}<div id="appendonsend"></div>'
         f'<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
         f'<font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>{esc(f)}:</b> {SUP_NAME} '
         f'&lt;{SUP_ADDR}&gt;<br><b>{esc(s)}:</b> {esc(d["olsent"])}<br><b>{esc(t)}:</b> {esc(d["cust"][0])} '
         f'&lt;{d["cust"][1]}&gt;<br><b>{esc(subj)}:</b> {esc(d["subj"])}</font><div>&nbsp;</div></div>'
         f'<div>{"<br>".join(esc(l) for l in d["orig"])}</div></body></html>')
    text = r + [""] + ["_" * 32] + header_block(d, d["ol"], d["olsent"]) + [""] + d["orig"]
    return text, h, None, {"X-MS-Exchange-Organization-SCL": "-1"}


def apple_html(lang, d, r, i):
    attr = fill(d["apple"], d)
    h = (f'<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
         f'<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
         f'{html_divs(r)}<div><br><blockquote type="cite"><div>{esc(attr)}</div><br '
         f'class="Apple-interchange-newline"><div>{html_divs(d["orig"])}</div></blockquote></div><br></body></html>')
    text = r + [""] + [attr] + [""] + q(d["orig"])
    return text, h, "Apple Mail (2.3774.300.61.1.2)", {}


def iphone_text(lang, d, r, i):
    attr = fill(d["apple"], d)
    text = r + ["", d["iphone"], ""] + q([attr, ""] + d["orig"])
    return text, None, "iPhone Mail (22D72)", {}


def thunderbird_html(lang, d, r, i):
    attr = fill(d["tb"], d)
    h = (f'<!DOCTYPE html>\n<html>\n  <head>\n    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
         f'  </head>\n  <body>\n    {html_paras(r)}\n    <div class="moz-cite-prefix">{esc(attr)}<br>\n    </div>\n'
         f'    <blockquote type="cite" cite="mid:4711.1@shop.example">\n      <pre class="moz-quote-pre" wrap="">'
         f'{esc(chr(10).join(d["orig"]))}</pre>\n    </blockquote>\n    <br>\n  </body>\n</html>')
    text = r + [""] + [attr] + q(d["orig"])
    return text, h, "Mozilla Thunderbird", {}


def thunderbird_text(lang, d, r, i):
    attr = fill(d["tb"], d)
    return r + [""] + [attr] + q(d["orig"]), None, "Mozilla Thunderbird", {"flowed": True}


def yahoo_html(lang, d, r, i):
    attr = fill(d["yahoo"], d)
    h = (f'<html><head></head><body><div class="ydp1a2b3c4yahoo-style-wrap" style="font-family:Helvetica '
         f'Neue, Helvetica, Arial, sans-serif;font-size:13px;">{html_divs(r)}</div><div><br></div>'
         f'<div id="yahoo_quoted_1234567890" class="yahoo_quoted"><div style="font-family:Helvetica;font-size:13px;'
         f'color:#26282a;"><div>{esc(attr)}</div><div><br></div><div><br></div><div><div id="yiv1234567890">'
         f'{html_divs(d["orig"])}</div></div></div></div></body></html>')
    text = r + ["", "", "    " + attr, "", "", ""] + ["   " + l if l else "" for l in d["orig"]]
    return text, h, "YahooMailAndroidMobile YMobile/1.0 (com.yahoo.mobile.client.android.mail/7.59.1)", {}


def samsung_text(lang, d, r, i):
    text = r + ["", "", "", d["galaxy"], "", "", d["samsep"]] + sam_block(d) + [""] + d["orig"]
    return text, None, None, {}


def outlook_ios_text(lang, d, r, i):
    text = r + ["", d["olios"], "_" * 32] + header_block(d, d["ol"], d["olsent"]) + [""] + d["orig"]
    return text, None, None, {}


def zimbra_text(lang, d, r, i):
    return r + ["", d["zimsep"]] + zim_block(d) + [""] + d["orig"], None, "Zimbra 10.0.6_GA_4602", {}


def zimbra_html(lang, d, r, i):
    f, t, s, subj = d["zim"]
    h = (f'<html><body><div style="font-family: arial, helvetica, sans-serif; font-size: 12pt; color: #000000">'
         f'{html_divs(r)}<div><br></div><hr id="zwchr" data-marker="__DIVIDER__"><div data-marker="__HEADERS__">'
         f'<b>{esc(f)}: </b>"{SUP_NAME}" &lt;{SUP_ADDR}&gt;<br><b>{esc(t)}: </b>"{esc(d["cust"][0])}" '
         f'&lt;{d["cust"][1]}&gt;<br><b>{esc(s)}: </b>{esc(d["zimdate"])}<br><b>{esc(subj)}: </b>{esc(d["subj"])}<br>'
         f'</div><div data-marker="__QUOTED_TEXT__">{"<br>".join(esc(l) for l in d["orig"])}</div></div></body></html>')
    return zimbra_text(lang, d, r, i)[0], h, "Zimbra 10.0.6_GA_4602", {}


def zoho_text(lang, d, r, i):
    return r + ["", "", "", "", fill(d["zoho"], d), ""] + d["orig"] + [""], None, "Zoho Mail", {}


def rewrapped_text(lang, d, r, i):
    """A webmail that hard-wraps the quote at 72 columns after adding '> ': the rest of a long
    line goes on a line of its own, without '>'."""
    quoted = []
    for l in q(d["orig"]):
        if len(l) > 72 and " " in l[40:72]:
            cut = l.rindex(" ", 40, 72)
            quoted += [l[:cut], l[cut + 1:]]
        else:
            quoted.append(l)
    return r + ["", fill(d["tb"], d)] + quoted, None, None, {}


def list_text(lang, d, r, i):
    return r + ["", fill(d["tb"], d)] + q(d["orig"]) + [""] + LIST_FOOTER, None, "Mozilla Thunderbird", {}


def typeapp_text(lang, d, r, i):
    attr = fill(d["apple"], d)
    return r + ["", "Sent from TypeApp", attr] + q(d["orig"]), None, None, {}


def ltr(h):
    return h.replace("<div>", '<div dir="ltr">')


def samsung_html(lang, d, r, i):
    f, dt, t, subj = d["sam"]
    sep = " : " if d.get("samspace") else ": "
    h = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
         f'{html_divs(r, None)}<div dir="auto"><br></div><div dir="auto"><br></div><div id="composer_signature" '
         f'dir="auto"><div style="font-size:85%;color:#575757" dir="auto">{esc(d["galaxy"])}</div></div>'
         f'<div dir="auto"><br></div><div><br></div><div align="left" dir="auto" style="font-size:100%;color:#000000">'
         f'<div>{esc(d["samsep"])}</div><div>{esc(f)}{sep}{SUP_NAME} &lt;{SUP_ADDR}&gt; </div><div>{esc(dt)}{sep}'
         f'{esc(d["samdate"])} </div><div>{esc(t)}{sep}{esc(d["cust"][0])} &lt;{d["cust"][1]}&gt; </div><div>'
         f'{esc(subj)}{sep}{esc(d["subj"])} </div><div><br></div></div>{html_divs(d["orig"], None)}</body></html>')
    return samsung_text(lang, d, r, i)[0], h, None, {}


def iphone_html(lang, d, r, i):
    attr = fill(d["apple"], d)
    h = (f'<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
         f'{ltr(html_divs(r))}<div dir="ltr"><br><div dir="ltr">'
         f'{esc(d["iphone"])}</div><div dir="ltr"><br><blockquote type="cite">{esc(attr)}<br><br></blockquote></div>'
         f'<blockquote type="cite"><div dir="ltr">{"<br>".join(esc(l) for l in d["orig"])}</div></blockquote></div>'
         f'</body></html>')
    return iphone_text(lang, d, r, i)[0], h, "iPhone Mail (22D72)", {}


def outlook_ios_html(lang, d, r, i):
    f, s, t, subj = d["ol"]
    words = d["olios"].split(" ")
    link = f'{esc(" ".join(words[:-3]))} <a href="https://aka.ms/o0ukef">{esc(" ".join(words[-3:]))}</a>'
    h = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
         f'{ltr(html_divs(r))}<div id="ms-outlook-mobile-signature">'
         f'<div><br></div>{link}</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" '
         f'tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
         f'color="#000000"><b>{esc(f)}:</b> {SUP_NAME} &lt;{SUP_ADDR}&gt;<br><b>{esc(s)}:</b> {esc(d["olsent"])}'
         f'<br><b>{esc(t)}:</b> {esc(d["cust"][0])} &lt;{d["cust"][1]}&gt;<br><b>{esc(subj)}:</b> '
         f'{esc(d["subj"])}</font><div>&nbsp;</div></div><div>{"<br>".join(esc(l) for l in d["orig"])}</div>'
         f'</body></html>')
    return outlook_ios_text(lang, d, r, i)[0], h, None, {}


def market_text(lang, d, r, i):
    """The webmail or client of the language's home market: its own attribution or header."""
    m = d["market"]
    before = [fill(l, d) for l in m["before"]]
    orig = q(d["orig"], m.get("prefix", "> ")) if m.get("quoted", True) else d["orig"]
    return r + [""] * m.get("gap", 1) + before + orig, None, m.get("mailer"), {"charset": m.get("charset")}


def interleaved_text(lang, d, r, i):
    a = d["inter"]
    o = d["orig"]
    text = [fill(d["tb"], d)] + q(o[:4]) + ["", a[0], ""] + q(o[5:]) + ["", a[1], a[2]]
    return text, None, "Mozilla Thunderbird", {"expected": [a[0], "", a[1], a[2]]}


def contact_text(lang, d, r, i):
    """A reply that holds a block of Name: value lines of its own (not a header block)."""
    c = d["contact"]
    exp = c + [""] + r
    return exp + [""] + gmail_wrapped(fill(d["gmail"], d), 1) + [""] + q(d["orig"]), None, None, {"expected": exp}


CLIENTS = [
    ("gmail", "html", gmail_html), ("gmail", "text", gmail_text),
    ("outlook", "html", outlook_html), ("outlook", "text", outlook_text),
    ("owa", "html", owa_html), ("apple-mail", "html", apple_html), ("iphone", "text", iphone_text),
    ("thunderbird", "html", thunderbird_html), ("thunderbird", "text", thunderbird_text),
    ("yahoo", "html", yahoo_html), ("samsung", "text", samsung_text),
    ("outlook-ios", "text", outlook_ios_text), ("zimbra", "text", zimbra_text),
    ("webmail-rewrap", "text", rewrapped_text),
    ("samsung", "html", samsung_html), ("iphone", "html", iphone_html),
    ("outlook-ios", "html", outlook_ios_html),
]
EXTRA = {  # clients seen only in some markets
    "zimbra-html": (("zimbra", "html", zimbra_html), ["en", "de", "fr", "it", "es", "ru"]),
    "zoho": (("zoho", "text", zoho_text), [k for k in L if "zoho" in L[k]]),
    "list": (("list", "text", list_text), ["en", "de", "fr", "nl", "pl", "ja"]),
    "typeapp": (("typeapp", "text", typeapp_text), ["en", "de"]),
    "market": (("market", "text", market_text), [k for k in L if "market" in L[k]]),
    "interleaved": (("interleaved", "text", interleaved_text), [k for k in L if "inter" in L[k]]),
    "contact": (("contact", "text", contact_text), [k for k in L if "contact" in L[k]]),
}


def make_eml(lang, d, client, text, h, mailer, extra, n):
    m = EmailMessage(policy=POLICY)
    m["From"] = Address(d["cust"][0], addr_spec=d["cust"][1])
    m["To"] = Address(SUP_NAME, addr_spec=SUP_ADDR)
    m["Subject"] = d["subj"]
    m["Date"] = "Tue, 03 Mar 2026 11:%02d:%02d +0100" % (n % 60, (n * 7) % 60)
    m["Message-ID"] = f"<{client}.{lang}.{n}@mail.example>"
    m["In-Reply-To"] = "<4711.20260303101506.1@shop.example>"
    m["References"] = "<4711.20260303101506.1@shop.example>"
    m["MIME-Version"] = "1.0"
    if mailer:
        m["X-Mailer" if "Thunderbird" not in mailer else "User-Agent"] = mailer
    for k, v in extra.items():
        if k not in ("flowed", "charset", "expected"):
            m[k] = v
    body = "\n".join(text) + "\n"
    cte = "8bit" if extra.get("flowed") else "quoted-printable"
    if extra.get("charset"):  # a legacy charset, as the client sends it
        m.set_content(body.encode(extra["charset"]), maintype="text", subtype="plain",
                      cte="7bit" if extra["charset"] == "iso-2022-jp" else "8bit")
        m.set_param("charset", extra["charset"])
    else:
        m.set_content(body, subtype="plain", cte=cte)
    if extra.get("flowed"):
        m.set_param("format", "flowed")
    if h is not None:
        m.add_alternative(h, subtype="html", cte="quoted-printable")
    return m.as_bytes(policy=POLICY)


def main():
    index = []
    n = 0
    for lang, d in L.items():
        cases = list(CLIENTS) + [spec for spec, langs in EXTRA.values() if lang in langs]
        for i, (client, form, fn) in enumerate(cases):
            r = d["reply"][(i + len(lang)) % 2]
            text, h, mailer, extra = fn(lang, d, r, i + len(lang))
            if client == "market":
                client = d["market"]["client"]
            name = f"{lang}-{client}-{form}"
            with open(name + ".eml", "wb") as f:
                f.write(make_eml(lang, d, client, text, h, mailer, extra, n))
            with open(name + ".expected", "w", encoding="utf-8") as f:
                f.write("\n".join(extra.get("expected", r)) + "\n")
            index.append(f"{name} {lang} {client} {form}")
            n += 1
    with open("INDEX", "w") as f:
        f.write("# name locale client form (written by gen.py)\n" + "\n".join(index) + "\n")
    print(len(index), "cases")


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    main()
