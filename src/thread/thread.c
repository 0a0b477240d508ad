/* thread: decide which ticket an inbound message belongs to, how far that match is to be
 * trusted, then record it. Rules in order: reply token, Message-ID references, subject tag
 * from a participant, Outlook's conversation from a participant, new ticket (DESIGN.md); the verdict and what it allows are in
 * doc/security.md. Everything runs inside the caller's transaction on the caller's store
 * connection; nothing here keeps state between calls. */
#include "config.h"
#include "postdesk/thread.h"
#include "postdesk/lib.h"
#include "thread-private.h"

#include <string.h>

const char *thread_rule_name(enum thread_rule rule)
{
	switch (rule) {
	case THREAD_RULE_TOKEN:
		return "token";
	case THREAD_RULE_MESSAGE_ID:
		return "message-id";
	case THREAD_RULE_SUBJECT_TAG:
		return "subject-tag";
	case THREAD_RULE_THREAD_INDEX:
		return "thread-index";
	case THREAD_RULE_NEW:
		break;
	}
	return "new";
}

/* The address we treat as the message's author: From, else the envelope sender. */
const char *thread_author(const struct thread_input *in)
{
	if (in->msg->from.addr[0] != '\0')
		return in->msg->from.addr;
	if (in->env_sender[0] != '\0')
		return in->env_sender;
	return "unknown@invalid";
}

/* References looked up at most: each is a store lookup in the single writer thread, and
 * the header is only bounded by the message size; real clients keep far fewer (and the
 * newest are the ones that matter). The trust check reads the same newest ones. */
#define THREAD_MAX_REFS 50

/* Message-ID rule: the message's own id (a copy already delivered to another of our
 * addresses), In-Reply-To, then References newest first (at most THREAD_MAX_REFS). */
static int thread_by_references(struct store *store, const struct parse_msg *msg,
				gint64 *ticket_r, char **error_r)
{
	int ret;
	guint i;

	if (!msg->message_id_made_up) {
		ret = store_find_ticket_by_msgid(store, msg->message_id, ticket_r, error_r);
		if (ret != 0)
			return ret;
	}
	if (msg->in_reply_to != NULL) {
		ret = store_find_ticket_by_msgid(store, msg->in_reply_to, ticket_r, error_r);
		if (ret != 0)
			return ret;
	}
	for (i = msg->references->len; i > 0 && msg->references->len - i < THREAD_MAX_REFS; i--) {
		const char *ref = g_ptr_array_index(msg->references, i - 1);
		ret = store_find_ticket_by_msgid(store, ref, ticket_r, error_r);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* Subject tag rule: [#N] counts only if the author already takes part in ticket N, so a
 * stranger cannot post into someone else's ticket by guessing a number. */
static int thread_by_subject_tag(struct store *store, const struct thread_input *in,
				 gint64 *ticket_r, char **error_r)
{
	gint64 id;
	int ret;

	if (parse_subject_tag(in->msg->subject, &id) != 1)
		return 0;
	/* A merged ticket's tag stands for its survivor, which holds its participants. */
	if (thread_follow_merged(store, &id, error_r) < 0)
		return -1;
	ret = store_is_participant(store, id, thread_author(in), error_r);
	if (ret == 1)
		*ticket_r = id;
	return ret;
}

/* Outlook conversation rule: Outlook (and Exchange) keep the first 22 bytes of
 * Thread-Index through a whole conversation even when the reply drops the subject tag,
 * In-Reply-To and References. It counts only in a ticket the author already takes part
 * in, like a subject tag: a stranger who copies the header gets nowhere. */
static int thread_by_conversation(struct store *store, const struct thread_input *in,
				  gint64 *ticket_r, char **error_r)
{
	if (in->msg->thread_conv == NULL)
		return 0;
	return store_conversation_ticket(store, in->msg->thread_conv, thread_author(in), ticket_r,
					 error_r);
}

/* The message's own Message-ID already stored for another of our addresses (To support@,
 * Cc billing@): the same message (deliver/ renames a different one that reuses an id), so
 * it keeps the verdict of the first copy. */
static int thread_by_own_copy(struct store *store, const struct parse_msg *msg,
			      struct thread_result *r, char **error_r)
{
	char *flags = NULL;
	int ret;

	if (msg->message_id_made_up)
		return 0;
	ret = store_message_first_in_flags(store, msg->message_id, &r->ticket_id, &flags, error_r);
	if (ret == 1) {
		r->trust = util_flags_have(flags, "unverified") ? THREAD_TRUST_UNVERIFIED
								: THREAD_TRUST_VERIFIED;
		r->trust_why = "a copy of a message already stored";
	}
	g_free(flags);
	return ret;
}

/* What the sender wrote matched ticket r->ticket_id (a Message-ID seen elsewhere, a
 * subject tag): verified only if the author takes part in it and our MTA vouches for the
 * From domain; From alone is forgeable. */
static int thread_weak_match(struct store *store, const struct conf *conf,
			     const struct thread_input *in, const char *what,
			     struct thread_result *r, char **error_r)
{
	int ret = store_is_participant(store, r->ticket_id, thread_author(in), error_r);

	if (ret < 0)
		return -1;
	if (ret == 1 && thread_trust_mta_vouches(conf, in->msg)) {
		r->trust = THREAD_TRUST_VERIFIED;
		r->trust_why = "a participant's From, DMARC pass by our MTA";
	} else {
		r->trust = THREAD_TRUST_UNVERIFIED;
		r->trust_why = what;
	}
	return 1;
}

static int thread_match(struct store *store, const struct conf *conf, const struct thread_input *in,
			struct thread_result *r, gboolean *permanent_r, char **error_r)
{
	struct store_ticket *t = NULL;
	int ret;

	if (in->token != NULL) {
		ret = store_ticket_get(store, in->token->id, &t, error_r);
		if (ret < 0)
			return -1;
		if (ret == 0) {
			*permanent_r = TRUE;
			return util_error(error_r, "ticket %" G_GINT64_FORMAT " does not exist",
					  in->token->id);
		}
		store_ticket_free(&t);
		r->ticket_id = in->token->id;
		/* A merged ticket's reply address leads to the ticket it was folded into. */
		if (thread_follow_merged(store, &r->ticket_id, error_r) < 0)
			return -1;
		r->rule = THREAD_RULE_TOKEN;
		r->trust = THREAD_TRUST_VERIFIED;
		r->trust_why = "a signed reply address";
		return 1;
	}
	r->rule = THREAD_RULE_MESSAGE_ID;
	ret = thread_trust_our_mail(store, in->msg, thread_author(in), &r->ticket_id, error_r);
	if (ret == 1) {
		r->trust = THREAD_TRUST_VERIFIED;
		r->trust_why = "a reply to our mail sent to this address";
	}
	if (ret == 0)
		ret = thread_by_own_copy(store, in->msg, r, error_r);
	if (ret != 0)
		return ret;
	ret = thread_by_references(store, in->msg, &r->ticket_id, error_r);
	if (ret == 1)
		return thread_weak_match(
		    store, conf, in, "a Message-ID of mail not sent to this address", r, error_r);
	if (ret < 0)
		return -1;
	ret = thread_by_subject_tag(store, in, &r->ticket_id, error_r);
	if (ret != 0) {
		r->rule = THREAD_RULE_SUBJECT_TAG;
		return ret < 0 ? -1
			       : thread_weak_match(store, conf, in,
						   "a subject tag and a From address", r, error_r);
	}
	ret = thread_by_conversation(store, in, &r->ticket_id, error_r);
	if (ret != 0) {
		r->rule = THREAD_RULE_THREAD_INDEX;
		return ret < 0 ? -1
			       : thread_weak_match(store, conf, in,
						   "an Outlook Thread-Index and a From address", r,
						   error_r);
	}
	r->rule = THREAD_RULE_NEW;
	r->trust = THREAD_TRUST_NEW;
	return 0;
}

/* What max_participants left out: an event the agents see (and the notice names). */
static int thread_capped_event(struct store *store, const struct conf *conf, gint64 ticket,
			       const char *author, gint64 capped, gint64 now, char **error_r)
{
	char *detail;
	int ret;

	if (capped == 0)
		return 0;
	detail = g_strdup_printf("%" G_GINT64_FORMAT " To/Cc addresses not added "
				 "(max_participants = %" G_GINT64_FORMAT ")",
				 capped, conf->max_participants);
	ret = store_event_add(store, ticket, now, "participants_capped", author, detail, error_r);
	g_free(detail);
	return ret;
}

/* Other people on the original mail (To/Cc) join the ticket, so their replies and subject
 * tags count and agent answers can copy them, up to conf->max_participants (the ticket is
 * new: counted here). Our own domain is not a participant. */
static int thread_add_copied(struct store *store, const struct conf *conf, gint64 ticket,
			     const struct parse_msg *msg, const char *author,
			     struct thread_result *r, char **error_r)
{
	const GPtrArray *lists[2] = {msg->to, msg->cc};
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	guint l, i;
	int ret = 0;

	for (l = 0; l < 2 && ret == 0; l++) {
		for (i = 0; i < lists[l]->len && ret == 0; i++) {
			const struct parse_addr *a = g_ptr_array_index(lists[l], i);
			const char *at = strrchr(a->addr, '@');
			if (at == NULL || g_ascii_strcasecmp(at + 1, conf->domain) == 0 ||
			    strcmp(a->addr, author) == 0 || !g_hash_table_add(seen, a->addr))
				continue;
			if (g_hash_table_size(seen) > (guint)conf->max_participants)
				r->participants_capped++;
			else
				ret = store_participant_add(store, ticket, a->addr, a->name, "cc",
							    error_r);
		}
	}
	g_hash_table_destroy(seen);
	return ret;
}

/* A verified author joins the ticket (someone we mailed, or who holds its reply address),
 * unless the ticket already has max_participants To/Cc participants. */
static int thread_add_author(struct store *store, const struct conf *conf, gint64 ticket,
			     const struct thread_input *in, struct thread_result *r, char **error_r)
{
	int ret = store_is_participant(store, ticket, thread_author(in), error_r);

	if (ret != 0)
		return ret < 0 ? -1 : 0;
	ret = store_participants_over(store, ticket, conf->max_participants - 1, error_r);
	if (ret == 1) {
		r->participants_capped++;
		return 0;
	}
	return ret < 0 ? -1
		       : store_participant_add(store, ticket, thread_author(in), in->msg->from.name,
					       "cc", error_r);
}

static int thread_new_ticket(struct store *store, const struct conf *conf,
			     const struct thread_input *in, gint64 linked_to, gint64 now,
			     struct thread_result *r, char **error_r)
{
	const char *author = thread_author(in);
	char *subject = parse_subject_base(in->msg->subject);
	gint64 customer;
	int ret = -1;

	if (subject[0] == '\0') {
		g_free(subject);
		subject = g_strdup("(no subject)");
	}
	if (store_customer_upsert(store, author, in->msg->from.name, now, &customer, error_r) < 0 ||
	    store_ticket_create(store, in->queue->name, subject, customer, linked_to, now,
				&r->ticket_id, error_r) < 0 ||
	    store_participant_add(store, r->ticket_id, author, in->msg->from.name, "requester",
				  error_r) < 0 ||
	    thread_lang_new_ticket(store, in->queue, in->msg, r->ticket_id, customer, error_r) < 0 ||
	    thread_add_copied(store, conf, r->ticket_id, in->msg, author, r, error_r) < 0 ||
	    store_event_add(store, r->ticket_id, now, "created", author, subject, error_r) < 0 ||
	    thread_capped_event(store, conf, r->ticket_id, author, r->participants_capped, now,
				error_r) < 0)
		goto out;
	if (linked_to != 0) {
		char *detail = g_strdup_printf("continues closed ticket %" G_GINT64_FORMAT,
					       linked_to);
		ret = store_event_add(store, r->ticket_id, now, "linked", author, detail,
				      error_r);
		g_free(detail);
		if (ret < 0)
			goto out;
	}
	r->new_ticket = TRUE;
	r->status_changed = TRUE;
	r->linked_from = linked_to;
	ret = 0;
out:
	g_free(subject);
	return ret;
}

/* A customer message moves its ticket: pending -> open (the customer answered),
 * resolved/closed -> open (a reopen). Events: kind "status" with the new status as detail
 * (what reports read), plus "reopened" for a reopen. */
static int thread_update_status(struct store *store, const struct store_ticket *t,
				const char *author, gint64 now, struct thread_result *r,
				char **error_r)
{
	gboolean reopen = strcmp(t->status, "resolved") == 0 || strcmp(t->status, "closed") == 0;

	if (!reopen && strcmp(t->status, "pending") != 0)
		return store_ticket_touch(store, t->id, now, error_r);
	r->reopened = reopen;
	r->status_changed = TRUE;
	if (store_ticket_set_status(store, t->id, "open", now, error_r) < 0 ||
	    store_event_add(store, t->id, now, "status", author, "open", error_r) < 0)
		return -1;
	if (!reopen)
		return 0;
	return store_event_add(store, t->id, now, "reopened", author, t->status, error_r);
}

/* An existing ticket was found: apply the closed-ticket policy, status change and
 * participant bookkeeping. */
static int thread_existing(struct store *store, const struct conf *conf,
			   const struct thread_input *in, gint64 now, struct thread_result *r,
			   char **error_r)
{
	const char *author = thread_author(in);
	struct store_ticket *t = NULL;
	int ret;

	ret = store_ticket_get(store, r->ticket_id, &t, error_r);
	if (ret <= 0)
		return ret < 0 ? -1 : util_error(error_r, "ticket %" G_GINT64_FORMAT " vanished",
						 r->ticket_id);
	if (strcmp(t->status, "closed") == 0 && conf->closed_policy == CONF_CLOSED_NEW) {
		gint64 old = t->id;
		store_ticket_free(&t);
		return thread_new_ticket(store, conf, in, old, now, r, error_r);
	}
	ret = thread_update_status(store, t, author, now, r, error_r);
	/* The requester became a participant when the ticket was made (thread_new_ticket, the
	 * only place tickets are created): skipping the insert saves a B-tree lookup at a
	 * random place for the most common message, a customer's reply. */
	if (ret == 0 && g_strcmp0(author, t->requester) != 0)
		ret = thread_add_author(store, conf, t->id, in, r, error_r);
	if (ret == 0)
		ret = thread_capped_event(store, conf, t->id, author, r->participants_capped, now,
					  error_r);
	store_ticket_free(&t);
	return ret;
}

/* A match that changes nothing (unverified, or automatic mail): the message is stored in
 * the ticket whatever its status, and an unverified one leaves an event saying so. No
 * status change, no participant, no timed work (status_changed stays FALSE). */
static int thread_inert(struct store *store, const struct thread_input *in, gint64 now,
			const struct thread_result *r, char **error_r)
{
	char *detail;
	int ret;

	if (r->trust != THREAD_TRUST_UNVERIFIED)
		return 0;
	detail = g_strdup_printf("<%s> matched by %s (%s) only: stored, changed nothing",
				 in->msg->message_id, thread_rule_name(r->rule), r->trust_why);
	ret = store_event_add(store, r->ticket_id, now, "unverified", thread_author(in), detail,
			      error_r);
	g_free(detail);
	return ret;
}

static char *thread_flags(const struct parse_msg *msg, const char *extra)
{
	GString *s = g_string_new("");

	if (msg->charset_guessed)
		g_string_append(s, "charset-guessed,");
	if (msg->message_id_made_up)
		g_string_append(s, "message-id-made-up,");
	if (msg->body_from_html)
		g_string_append(s, "html-only,");
	if (msg->body_truncated)
		g_string_append(s, "body-truncated,");
	if (extra != NULL && extra[0] != '\0')
		g_string_append_printf(s, "%s,", extra);
	if (s->len > 0)
		g_string_truncate(s, s->len - 1);
	return g_string_free(s, FALSE);
}

int thread_record(struct store *store, const struct thread_input *in, gint64 ticket_id,
		  const char *kind, const char *body, const char *flags, gint64 now,
		  gint64 *row_r, char **error_r)
{
	const struct parse_msg *msg = in->msg;
	struct store_message m = {0};
	GPtrArray *atts = g_ptr_array_new_with_free_func(g_free);
	guint i;
	int ret;

	for (i = 0; i < msg->attachments->len; i++) {
		const struct parse_attachment *pa = g_ptr_array_index(msg->attachments, i);
		struct store_attachment *sa = g_new0(struct store_attachment, 1);
		sa->filename = pa->filename;
		sa->content_type = pa->content_type;
		sa->size = (gint64)pa->size;
		g_ptr_array_add(atts, sa);
	}
	m.ticket_id = ticket_id;
	m.direction = (char *)"in";
	m.kind = (char *)kind;
	m.message_id = msg->message_id;
	m.rcpt = (char *)in->rcpt;
	m.env_sender = (char *)in->env_sender;
	m.from_addr = msg->from.addr;
	m.from_name = msg->from.name;
	m.subject = msg->subject;
	m.date = msg->date;
	/* Customer mail keeps its new text (what the desk reads fast); the whole text is
	 * derived from raw when asked for (postdesk show --full). */
	if (body == NULL && in->stored_text != NULL &&
	    (strcmp(kind, "customer") == 0 || strcmp(kind, "auto") == 0))
		body = in->stored_text;
	m.body = (char *)(body != NULL ? body : msg->body);
	m.flags = thread_flags(msg, flags);
	if (in->raw == NULL && in->raw_len > 0) {
		m.raw_fd = in->raw_fd;
		m.raw_fd_len = in->raw_len;
	} else {
		m.raw = g_bytes_new_static(in->raw, in->raw_len);
	}
	m.attachments = atts;
	ret = store_message_insert(store, &m, now, row_r, error_r);
	if (m.raw != NULL)
		g_bytes_unref(m.raw);
	g_free(m.flags);
	g_ptr_array_free(atts, TRUE);
	if (ret != 0 || ticket_id == 0)
		return ret;
	return store_event_add(store, ticket_id, now, "message", thread_author(in),
			       msg->message_id, error_r);
}

int thread_deliver(struct store *store, const struct conf *conf, const struct thread_input *in,
		   gint64 now, struct thread_result *r, gboolean *permanent_r, char **error_r)
{
	int ret;

	memset(r, 0, sizeof(*r));
	*permanent_r = FALSE;
	/* A redelivery (LMTP retry after a crash, or Postfix resending) must not create a
	 * second ticket: look it up before any rule runs. */
	ret = store_message_find(store, in->msg->message_id, in->rcpt, &r->message_row,
				 &r->ticket_id, error_r);
	if (ret != 0) {
		r->duplicate = ret == 1;
		return ret < 0 ? -1 : 0;
	}
	ret = thread_match(store, conf, in, r, permanent_r, error_r);
	if (ret < 0)
		return -1;
	/* Automatic mail opens a ticket as before, but into one it changes nothing. */
	r->automatic = ret == 1 ? parse_msg_automatic(in->msg) : NULL;
	if (ret == 1 && (r->trust != THREAD_TRUST_VERIFIED || r->automatic != NULL))
		ret = thread_inert(store, in, now, r, error_r);
	else if (ret == 1)
		ret = thread_existing(store, conf, in, now, r, error_r);
	else
		ret = thread_new_ticket(store, conf, in, 0, now, r, error_r);
	if (ret < 0)
		return -1;
	/* Only a conversation the ticket really holds is kept: one from an unverified or
	 * automatic message would let its sender plant a key for later mail. */
	if (in->msg->thread_conv != NULL && r->ticket_id != 0 &&
	    r->trust != THREAD_TRUST_UNVERIFIED && r->automatic == NULL &&
	    store_conversation_add(store, in->msg->thread_conv, r->ticket_id, error_r) < 0)
		return -1;
	return thread_record(store, in, r->ticket_id, r->automatic != NULL ? "auto" : "customer",
			     NULL, r->trust == THREAD_TRUST_UNVERIFIED ? "unverified" : NULL, now,
			     &r->message_row, error_r) < 0
		   ? -1
		   : 0;
}
