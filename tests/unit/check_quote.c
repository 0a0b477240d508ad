/* Unit tests for parse_reply_text(): one case per client style, the safety cases (invalid
 * UTF-8, 1 MB inputs), then a measurement over real replies copied from talon and
 * email_reply_parser (inputs from the corpus copy in tests/data/corpus; the expected new
 * text of each in tests/data/quote/<project>/<name>.expected). */
#include "postdesk/parse.h"

#include "parse-private.h"

#include <check.h>
#include <gmime/gmime.h>
#include <string.h>

/* Real replies cut exactly right when this was written: a regression fails the suite. */
#define QUOTE_EXACT_MIN 46
#define QUOTE_FIXTURES 46

static void expect_reply(const char *text, const char *html, const char *marker, const char *want)
{
	char *got = parse_reply_text(text, html, marker);
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	g_free(got);
}

#define TEXT(t, want) expect_reply((t), NULL, NULL, (want))
#define HTML(h, want) expect_reply("", (h), NULL, (want))

START_TEST(test_attribution_english)
{
	TEXT("Thanks, that works.\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One "
	     "<m@example.com> wrote:\n\n> Did it work?\n> \n",
	     "Thanks, that works.");
	/* no quote after it: still a cut (Outlook mobile, HTML leftovers) */
	TEXT("Sure.\n\nOn Apr 3, 2012, at 4:19 PM, bob wrote:\nHi there\n", "Sure.");
	/* Gmail wraps long names over two or three lines */
	TEXT("Ok\n\nOn Tue, Sep 25, 2012 at 8:59 AM, Chris Wanstrath\n"
	     "<notifications@github.com>wrote:\n\n> Steps 0-2\n",
	     "Ok");
	TEXT("Ok\n\nOn Dec 16, 2011, at 12:47 PM, Corey Donohoe\n<reply@example.com>\nwrote:\n\n"
	     "> Was this caching related?\n",
	     "Ok");
	/* "On" opening an ordinary sentence is no attribution */
	TEXT("On your host run:\n\n  telnet 127.0.0.1 52698\n",
	     "On your host run:\n\n  telnet 127.0.0.1 52698");
}
END_TEST

START_TEST(test_attribution_languages)
{
	TEXT("Danke!\n\nAm 02.04.2012 um 18:26 schrieb Max Muster <max@example.de>:\n\n> Hallo\n",
	     "Danke!");
	TEXT("Merci\n\nLe lun. 2 avr. 2012 à 18:26, Jean <jean@example.fr> a écrit :\n\n> Salut\n",
	     "Merci");
	TEXT("Gracias\n\nEl 2 abr 2012, a las 18:26, Ana <ana@example.es> escribió:\n\n> Hola\n",
	     "Gracias");
	TEXT("Bedankt\n\nOp 2 apr. 2012 om 18:26 schreef Jan <jan@example.nl>:\n\n> Hoi\n",
	     "Bedankt");
	TEXT("Obrigado\n\nEm 2 de abr de 2012, às 18:26, Rui <rui@example.pt> escreveu:\n\n> Olá\n",
	     "Obrigado");
	/* a language we have no words for: the date, time or address before the quote */
	TEXT("Hello\n02.04.2012 14:20 пользователь \"bob@example.org\" <\n"
	     "bob@example.org> написал:\n\n> Hi\n",
	     "Hello");
}
END_TEST

START_TEST(test_outlook_text)
{
	TEXT("Hello\n\n-----Original Message-----\nFrom: bob\nSent: today\n\nHi\n", "Hello");
	TEXT("Hallo\n\n-----Ursprüngliche Nachricht-----\nVon: bob\n", "Hallo");
	TEXT("Salut\n\n-----Message d'origine-----\nDe : bob\n", "Salut");
	TEXT("Hola\n\n-----Mensaje original-----\nDe: bob\n", "Hola");
	TEXT("Hello\n\n----- Original Message -----\nFrom: bob\n", "Hello");
	TEXT("Done.\n\nFrom: Support [mailto:support@example.com]\nSent: Friday, 23 March 2012\n"
	     "To: John\nSubject: [#12] Printer\n\nOld text\n",
	     "Done.");
	TEXT("Erledigt.\n\nVon: Support <support@example.com>\nGesendet: Freitag, 23. März 2012\n"
	     "An: Hans\nBetreff: Drucker\n\nAlter Text\n",
	     "Erledigt.");
	TEXT("Fait.\n\nDe : Support <support@example.com>\nEnvoyé : vendredi 23 mars 2012\n"
	     "À : Jean\nObjet : Imprimante\n",
	     "Fait.");
	TEXT("Reply directly above\n________________________________\nFrom: CRM [crm@example.com]\n"
	     "Sent: Friday, 23 March 2012 5:08 p.m.\nTo: John\n\nA comment\n",
	     "Reply directly above");
	TEXT("Outlook with a reply\n\n ------------------------------\n\n*From:* Team "
	     "[mailto:x@example.com]\n*Sent:* Thursday\n*To:* jow@example.com\n",
	     "Outlook with a reply");
	/* one header-like line alone is not a header block */
	TEXT("Subject: printer\nIt is broken.\n", "Subject: printer\nIt is broken.");
}
END_TEST

START_TEST(test_quote_blocks)
{
	/* top posting */
	TEXT("Yes.\n\n> Is it fixed?\n> \n> Bob\n", "Yes.");
	/* bottom posting (Thunderbird) */
	TEXT("On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello\n", "Hello");
	/* interleaved: the answers between quote blocks are kept, one blank line per cut */
	TEXT("Hi,\n> question one\n\nanswer one\n\n> question two\n>\nanswer two\n\n> bye\n",
	     "Hi,\n\nanswer one\n\nanswer two");
	/* only a quote: nothing new */
	TEXT("On Mon, Apr 2, 2012 at 6:26 PM, Bob <b@example.com> wrote:\n> Hi\n", "");
	TEXT("> all quoted\n>\n", "");
	/* mailing-list footer after the quote */
	TEXT("Thanks\n\n> q\n\n_______________________________________________\n"
	     "list mailing list\nlist@example.com\n",
	     "Thanks");
}
END_TEST

START_TEST(test_signatures)
{
	TEXT("Fixed.\n\n-- \nJoe\nACME support\n", "Fixed.");
	TEXT("Fixed.\n\n--\nJoe\n", "Fixed.");
	TEXT("a -- b\n", "a -- b");
	TEXT("Fixed.\n\nSent from my iPhone\n", "Fixed.");
	TEXT("Fixed.\n\nSent from my Android\n\n> q\n", "Fixed.");
	TEXT("Erledigt\n\nGesendet von meinem iPhone\n", "Erledigt");
	TEXT("Fait\n\nEnvoyé de mon iPhone\n", "Fait");
	TEXT("Done\n\nSent from Mail for Windows\n", "Done");
	TEXT("Done\n\nGet Outlook for iOS\n", "Done");
	/* only when it ends the new text, and only the short form */
	TEXT("Sent from my iPhone\nbut it works\n", "Sent from my iPhone\nbut it works");
	TEXT("Sent from my desk, much easier.\n", "Sent from my desk, much easier.");
}
END_TEST

START_TEST(test_marker)
{
	const char *m = "##- Please type your reply above this line -##";
	expect_reply("Thanks!\n\n##- Please type your reply above this line -##\nTicket text\n",
		     NULL, m, "Thanks!");
	/* the marker inside the quote, under Gmail's attribution */
	expect_reply("Thanks!\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Desk <d@example.com> wrote:\n\n"
		     "> ##- Please type your reply above this line -##\n> old\n",
		     NULL, m, "Thanks!");
	/* NULL or empty marker: no marker cut */
	expect_reply("a\n##- x -##\nb\n", NULL, NULL, "a\n##- x -##\nb");
	expect_reply("a\n##- x -##\nb\n", NULL, "", "a\n##- x -##\nb");
}
END_TEST

START_TEST(test_html_clients)
{
	/* Gmail */
	HTML("<div dir=ltr>Hi there</div><br><div class=\"gmail_quote\"><div dir=ltr "
	     "class=\"gmail_attr\">On Mon, Bob &lt;b@example.com&gt; wrote:<br></div>"
	     "<blockquote class=\"gmail_quote\">old</blockquote></div>",
	     "Hi there");
	HTML("<div>Thanks</div><div class=gmail_signature>Joe | ACME</div>", "Thanks");
	/* Apple Mail */
	HTML("<div>Yes</div><div><br><blockquote type=\"cite\"><div>On 22 Aug 2015, at 19:21, "
	     "Adam wrote:</div><div>Hi</div></blockquote></div>",
	     "Yes");
	/* Thunderbird */
	HTML("<p>Fine.</p><div class=\"moz-cite-prefix\">On 26.06.2014 14:41, Alexander wrote:"
	     "<br></div><blockquote type=\"cite\">Hello</blockquote><pre class=\"moz-signature\">"
	     "-- \nAlex</pre>",
	     "Fine.");
	/* Outlook desktop and web */
	HTML("<p class=MsoNormal>Done</p><div style='border:none;border-top:solid #E1E1E1 1.0pt'>"
	     "<p><b>From:</b> Bob</p></div><p>old</p>",
	     "Done");
	HTML("<div>Done</div><hr><div id=\"divRplyFwdMsg\"><b>From:</b> Bob</div><div>old</div>",
	     "Done");
	HTML("<div>Done</div><div id=\"appendonsend\"></div><div>old</div>", "Done");
	/* Yahoo */
	HTML("<div>Ok</div><div class=\"yahoo_quoted\"><div>On Monday, Bob wrote:</div>"
	     "<div>old</div></div>",
	     "Ok");
	/* Outlook for Mac */
	HTML("<div>Reply</div><span id=\"OLK_SRC_BODY_SECTION\"><div>From: Bob</div></span>",
	     "Reply");
	/* generic blockquote with an attribution in front */
	HTML("<p>Hi. I am fine.</p>26.06.2014, 14:41, \"Alexander\" &lt;a@example.com&gt;:"
	     "<blockquote>Hello!</blockquote>",
	     "Hi. I am fine.");
	/* attribution left over as text, no container */
	HTML("<div>Sure</div><div>On Mon, Apr 2, 2012 at 6:26 PM, Bob wrote:</div><div>old</div>",
	     "Sure");
}
END_TEST

START_TEST(test_html_rendering)
{
	HTML("<p>one</p><p>two</p>", "one\n\ntwo");
	HTML("<div>a<br>b</div><div><br></div><div>c</div>", "a\nb\n\nc");
	HTML("<p class=MsoNormal>a</p><p class=MsoNormal>&nbsp;</p><p class=MsoNormal>b</p>",
	     "a\n\nb");
	HTML("<ul><li>x</li><li>y</li></ul>", "- x\n- y");
	HTML("<pre>  keep\n  this</pre>", "  keep\n  this");
	HTML("<style>p{}</style><script>x()</script><p>only  this\n text</p>", "only this text");
	/* interleaved answers inside an Apple Mail quote survive */
	HTML("<blockquote type=cite>q1</blockquote><div>a1</div><blockquote type=cite>q2"
	     "</blockquote><div>a2</div>",
	     "a1\n\na2");
}
END_TEST

START_TEST(test_fallback_and_null)
{
	/* HTML that is only a quote: the text part decides */
	expect_reply("Thanks\n> q\n", "<blockquote>q</blockquote>", NULL, "Thanks");
	expect_reply("Thanks\n", "", NULL, "Thanks");
	expect_reply(NULL, NULL, NULL, "");
	expect_reply("", NULL, NULL, "");
	expect_reply("\n\n  \n", NULL, NULL, "");
	/* CRLF, trailing spaces, leading blank lines */
	TEXT("\r\n\r\nline one   \r\nline two\t\r\n\r\n> q\r\n", "line one\nline two");
}
END_TEST

/* The structural rules and the keyword table (quote_words.def), each on its own. */
START_TEST(test_generalised_rules)
{
	/* a header block in a language the table lacks (Hungarian Outlook), with a wrapped From */
	TEXT("Köszönöm!\n\nFeladó: Nordlicht Support\n<support@shop.example>\n"
	     "Elküldve: 2026. március 3. 10:15\nCímzett: Anna <anna@example.hu>\n"
	     "Tárgy: Rendelés 10023\n\nKedves Anna,\n",
	     "Köszönöm!");
	/* ...and its attribution, unquoted original below (Hungarian Gmail) */
	TEXT("Rendben.\n\nNordlicht Support <support@shop.example> ezt írta (időpont: 2026. márc. "
	     "3., K, 10:15):\nKedves Anna,\n",
	     "Rendben.");
	/* pasted order details are the customer's text, not a header block */
	TEXT("Meine Daten:\nBestellnummer: 10023\nBestelldatum: 01.03.2026 14:22\n"
	     "E-Mail: jonas@example.de\nZahlung: Rechnung\n\nGruß\n",
	     "Meine Daten:\nBestellnummer: 10023\nBestelldatum: 01.03.2026 14:22\n"
	     "E-Mail: jonas@example.de\nZahlung: Rechnung\n\nGruß");
	/* an attribution without a colon, ending in its verb or in dashes (Zoho) */
	TEXT("Ok\n\n---- On Tue, 03 Mar 2026 10:15:06 +0000 Support <s@shop.example> wrote "
	     "----\n\nHello Emma,\n",
	     "Ok");
	TEXT("Ok\n\nOn 3 Mar 2026 at 10:15 Support <s@shop.example> wrote\nHello Emma,\n", "Ok");
	/* Gmail's wrapped ends: ">:" and ":" on lines of their own */
	TEXT("Danke\n\nAm Di., 3. März 2026 um 10:15 Uhr schrieb Support <s@shop.example\n>:\n\n"
	     "> Hallo\n",
	     "Danke");
	TEXT("Merci\n\nLe mar. 3 mars 2026 à 10:15, Support <s@shop.example> a écrit\n:\n\n> "
	     "Bonjour\n",
	     "Merci");
	/* bidi controls around a Hebrew attribution */
	TEXT("תודה\n\n\u202bבתאריך יום ג׳, 3 במרץ 2026 ב-10:15 מאת Support "
	     "<s@shop.example>:\u202c\n\n"
	     "> שלום\n",
	     "תודה");
	/* a mobile signature ends the reply when the original follows, in any language */
	TEXT("Grazie\n\nInviato dal mio Galaxy\n\n-------- Messaggio originale --------\nDa: "
	     "Support <s@shop.example>\nData: 03/03/26 10:15\nA: Giulia <g@example.it>\nOggetto: "
	     "Ordine\n\nGentile Giulia,\n",
	     "Grazie");
	TEXT("ありがとうございます\n\niPhoneから送信\n\n> 2026/03/03 10:15、Support "
	     "<s@shop.example>のメール:\n> \n> 山田様\n",
	     "ありがとうございます");
	TEXT("Спасибо!\n\nОтправлено из мобильной Почты Mail.ru\n\nВторник, 3 марта 2026, 10:15 "
	     "+03:00 от Support <s@shop.example>:\n> Здравствуйте\n",
	     "Спасибо!");
	/* ...but a line that only starts like one, in the middle of the text, stays */
	TEXT("Inviato da mio marito ieri sera\nma non ancora arrivato\n",
	     "Inviato da mio marito ieri sera\nma non ancora arrivato");
	/* a quote line the client re-wrapped stays in the quote; a short answer under a short
	 * quoted question is an answer */
	TEXT("Yes\n\nOn 03/03/2026 10:15, Support wrote:\n> thank you for your message. Your order "
	     "10023 left our central\nwarehouse today;\n> the tracking number is 0034.\n",
	     "Yes");
	TEXT("> Is it ok?\nYes it is.\n> And this?\nNo.\n", "Yes it is.\n\nNo.");
	/* a list footer drawn with short "__" rules */
	TEXT("Thanks\n\n__\nShop list - list@lists.example\nLeave: https://lists.example/leave\n",
	     "Thanks");
	/* a separator phrase in a language the table lacks, right above a header block */
	TEXT(
	    "Hvala\n\n---------- Izvorna poruka ----------\nOd: Support <s@shop.example>\n"
	    "Datum: 3. 3. 2026. 10:15\nZa: Ana <ana@example.hr>\nPredmet: Narudžba\n\nPoštovana,\n",
	    "Hvala");
	ck_assert_uint_ge(parse_quote_word_languages(), 22);
}
END_TEST

START_TEST(test_invalid_utf8)
{
	char *got = parse_reply_text("ok \xff\xfe bytes\n> q \xc3\n", "<p>\xff\x80 x</p>", NULL);
	ck_assert(g_utf8_validate(got, -1, NULL));
	ck_assert_ptr_nonnull(strstr(got, "x"));
	g_free(got);
	got = parse_reply_text("ok \xff\xfe bytes\n> q \xc3\n", NULL, "\xff");
	ck_assert(g_utf8_validate(got, -1, NULL));
	ck_assert_ptr_nonnull(strstr(got, "bytes"));
	g_free(got);
}
END_TEST

/* Builds about 1 MB of one repeated piece. */
static char *repeat(const char *piece)
{
	GString *s = g_string_new(NULL);
	while (s->len < 1024 * 1024)
		g_string_append(s, piece);
	return g_string_free(s, FALSE);
}

/* Every rule looks at a line (or an HTML node) and a bounded few around it, so each count
 * of the work stays under a constant times the input size. Today's worst is 3.3 line
 * steps per byte ("a:\n\n", each line visited by several rules); a rule that went back over
 * the text for each line would count millions of times more. Counted, not timed: the time
 * is tests/bench/quote_bench.c. */
#define WORK_PER_BYTE 8

static void assert_linear(const struct parse_work *work, gsize len, const char *what, gsize i)
{
	ck_assert_msg(work->lines <= WORK_PER_BYTE * len && work->nodes <= WORK_PER_BYTE * len &&
			  work->bytes <= WORK_PER_BYTE * len,
		      "%s %zu (%zu bytes): %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
		      " nodes, %" G_GUINT64_FORMAT " bytes",
		      what, i, len, work->lines, work->nodes, work->bytes);
}

START_TEST(test_large_inputs)
{
	static const char *const texts[] = {
	    "On 1 2 3 wrote wrote wrote\n",
	    "On 12:30 x\nwrote\n",
	    "From: a\nTo: b\n",
	    ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>",
	    "x\n> q\n",
	    "a:\n\n",
	    "On\n",
	    "12:30 @:\n>\n",
	    "--------------------------------",
	    "\xff\xc3",
	    "________________________\n",
	};
	static const char *const htmls[] = {
	    "<div>",	    "<blockquote>",	"<div style='border-top:solid'>",
	    "<p>a</p><br>", "&nbsp;",		"<div class=gmail_quote><div>",
	    "<pre>\n",	    "<table><tr><td>x",
	};
	for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
		char *big = repeat(texts[i]);
		struct parse_work work = {0};
		g_free(parse_reply_text_work(big, NULL, "##", &work));
		assert_linear(&work, strlen(big), "texts", i);
		g_free(big);
	}
	for (gsize i = 0; i < G_N_ELEMENTS(htmls); i++) {
		char *big = repeat(htmls[i]);
		struct parse_work work = {0};
		g_free(parse_reply_text_work("text", big, NULL, &work));
		assert_linear(&work, strlen(big), "htmls", i);
		g_free(big);
	}
}
END_TEST

/* ---- measurement over real replies ---- */

struct parts {
	char *text;
	char *html;
};

static void collect_part(GMimeObject *parent, GMimeObject *part, gpointer data)
{
	struct parts *p = data;
	(void)parent;
	if (!GMIME_IS_TEXT_PART(part))
		return;
	GMimeContentType *ct = g_mime_object_get_content_type(part);
	if (p->text == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
		p->text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
	else if (p->html == NULL && g_mime_content_type_is_type(ct, "text", "html"))
		p->html = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
}

static char *reply_of_eml(const char *data, gsize len)
{
	GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
	ck_assert_ptr_nonnull(msg);
	struct parts p = {NULL, NULL};
	g_mime_message_foreach(msg, collect_part, &p);
	char *reply = parse_reply_text(p.text != NULL ? p.text : "", p.html, NULL);
	g_free(p.text);
	g_free(p.html);
	g_object_unref(msg);
	g_object_unref(parser);
	g_object_unref(stream);
	return reply;
}

/* Where the inputs of tests/data/quote/<dir> are: the corpus copy of their project. */
static char *fixture_input_dir(const char *dir)
{
	if (g_str_has_prefix(dir, "talon"))
		return g_build_filename(TESTS_SRCDIR, "data", "corpus", "talon", "tests", "fixtures",
					dir + strlen("talon"), NULL);
	return g_build_filename(TESTS_SRCDIR, "data", "corpus", "email_reply_parser", "test",
				"emails", NULL);
}

/* 1 if the reply of the input for `expected_name` (a <base>.expected file in exp_dir; the
 * input is <base>.eml, .html or .txt in in_dir) equals it, 0 if not, -1 if not an
 * expected file. */
static int check_fixture(const char *exp_dir, const char *in_dir, const char *expected_name)
{
	static const char *const exts[] = {".eml", ".html", ".txt"};
	const char *dot = strrchr(expected_name, '.');
	if (dot == NULL || strcmp(dot, ".expected") != 0)
		return -1;
	char *base = g_strndup(expected_name, dot - expected_name);
	char *exp_path = g_build_filename(exp_dir, expected_name, NULL);
	char *path = NULL, *data = NULL, *want = NULL;
	const char *ext = NULL;
	gsize len = 0;
	for (gsize i = 0; i < G_N_ELEMENTS(exts) && ext == NULL; i++) {
		g_free(path);
		path = g_strconcat(in_dir, "/", base, exts[i], NULL);
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			ext = exts[i];
	}
	ck_assert_msg(ext != NULL, "no input for %s in %s", exp_path, in_dir);
	ck_assert_msg(g_file_get_contents(path, &data, &len, NULL), "cannot read %s", path);
	ck_assert_msg(g_file_get_contents(exp_path, &want, NULL, NULL), "no %s", exp_path);
	if (g_str_has_suffix(want, "\n"))
		want[strlen(want) - 1] = '\0';
	char *got = strcmp(ext, ".eml") == 0	? reply_of_eml(data, len)
		    : strcmp(ext, ".html") == 0 ? parse_reply_text("", data, NULL)
						: parse_reply_text(data, NULL, NULL);
	int ok = strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr,
			"quote: %s differs\n--- got:\n%.2000s\n--- expected:\n%.2000s\n---\n", path,
			got, want);
	g_free(got);
	g_free(want);
	g_free(data);
	g_free(exp_path);
	g_free(base);
	g_free(path);
	return ok;
}

START_TEST(test_real_replies)
{
	static const char *const dirs[] = {"talon/standard_replies", "talon/html_replies", "talon",
					   "email_reply_parser"};
	int exact = 0, total = 0;
	g_mime_init();
	for (gsize i = 0; i < G_N_ELEMENTS(dirs); i++) {
		char *dir = g_build_filename(TESTS_SRCDIR, "data", "quote", dirs[i], NULL);
		char *in_dir = fixture_input_dir(dirs[i]);
		GDir *d = g_dir_open(dir, 0, NULL);
		ck_assert_msg(d != NULL, "cannot open %s", dir);
		const char *name;
		while ((name = g_dir_read_name(d)) != NULL) {
			int r = check_fixture(dir, in_dir, name);
			if (r >= 0) {
				total++;
				exact += r;
			}
		}
		g_dir_close(d);
		g_free(in_dir);
		g_free(dir);
	}
	g_mime_shutdown();
	printf("quote stripping: %d of %d cut exactly right\n", exact, total);
	ck_assert_int_eq(total, QUOTE_FIXTURES);
	ck_assert_int_ge(exact, QUOTE_EXACT_MIN);
}
END_TEST

static Suite *quote_suite(void)
{
	Suite *s = suite_create("quote");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, test_attribution_english);
	tcase_add_test(tc, test_attribution_languages);
	tcase_add_test(tc, test_outlook_text);
	tcase_add_test(tc, test_quote_blocks);
	tcase_add_test(tc, test_signatures);
	tcase_add_test(tc, test_marker);
	tcase_add_test(tc, test_html_clients);
	tcase_add_test(tc, test_html_rendering);
	tcase_add_test(tc, test_fallback_and_null);
	tcase_add_test(tc, test_generalised_rules);
	tcase_add_test(tc, test_invalid_utf8);
	suite_add_tcase(s, tc);
	TCase *slow = tcase_create("data");
	tcase_set_timeout(slow, 120);
	tcase_add_test(slow, test_large_inputs);
	tcase_add_test(slow, test_real_replies);
	suite_add_tcase(s, slow);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(quote_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
