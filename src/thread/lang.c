/* lang: the language of a new ticket's customer mail (doc/languages.md, "Which language").
 * From weakest to strongest: the queue's `language`, the customer's earlier tickets, the
 * message's Content-Language, the detector on the message's own text (only when it is
 * confident); later an agent's #lang (agent.c). Runs in the delivery's transaction: one
 * primary-key read and, when the evidence says something, two primary-key writes; the
 * detector reads at most 512 bytes (parse/lang.c; a third of a millisecond, which is why
 * lmtpd leaves it to notifyd with the acknowledgement: survey/acks.c). No state: any
 * thread. */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"

#include <string.h>

/* Text the detector reads: the subject (the customer wrote it too: it helps a short
 * message) and the new text, without the quote of an earlier mail that may be in another
 * language. */
#define LANG_TEXT_MAX 8192

const char *thread_lang_pick(const char *queue_lang, const char *earlier,
			     const char *content_language, const char *detected,
			     const char **source_r)
{
	const char *lang = lang_index(queue_lang) >= 0 ? queue_lang : LANG_FALLBACK;
	const char *source = "queue";
	const char *tagged = lang_from_tags(content_language);

	if (lang_index(earlier) >= 0) {
		lang = earlier;
		source = "customer";
	}
	if (tagged != NULL) {
		lang = tagged;
		source = "content-language";
	}
	if (lang_index(detected) >= 0) {
		lang = detected;
		source = "detector";
	}
	*source_r = source;
	return lang_code(lang_index(lang));
}

/* The detector's answer for the message's subject and new text, or NULL. A detector that
 * cannot load (its data missing) is logged and skipped: a ticket in the queue's language
 * is better than mail that cannot be delivered. */
static const char *thread_lang_detected(const struct parse_msg *msg)
{
	char *body = g_strndup(msg->body != NULL ? msg->body : "", LANG_TEXT_MAX);
	char *text = parse_reply_text(body, NULL, NULL);
	char *sample = g_strconcat(msg->subject != NULL ? msg->subject : "", "\n",
				   text != NULL ? text : "", NULL);
	const char *lang = NULL;
	char *error = NULL;

	if (parse_lang_detect(sample, &lang, &error) < 0) {
		log_warn("%s", error);
		g_free(error);
	}
	g_free(sample);
	g_free(text);
	g_free(body);
	return lang;
}

void thread_lang_detect(struct parse_msg *msg)
{
	msg->detected_lang = thread_lang_detected(msg);
	msg->lang_detected = TRUE;
}

int thread_lang_new_ticket(struct store *store, const struct conf_queue *queue,
			   const struct parse_msg *msg, gint64 ticket_id, gint64 customer_id,
			   char **error_r)
{
	const char *source, *lang;
	char *earlier = NULL;
	int ret;

	if (store_customer_lang(store, customer_id, &earlier, error_r) < 0)
		return -1;
	lang = thread_lang_pick(queue->language, earlier, msg->content_language,
				msg->lang_detected ? msg->detected_lang : thread_lang_detected(msg),
				&source);
	ret = store_ticket_set_lang(store, ticket_id, lang, error_r);
	/* The queue's default is no evidence about the customer: their own stays as it was. */
	if (ret == 0 && strcmp(source, "queue") != 0 && strcmp(source, "customer") != 0 &&
	    g_strcmp0(earlier, lang) != 0)
		ret = store_customer_set_lang(store, customer_id, lang, error_r);
	log_debug("ticket %" G_GINT64_FORMAT ": language %s (%s)", ticket_id, lang, source);
	g_free(earlier);
	return ret;
}
