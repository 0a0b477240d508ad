/* lang: the words of customer mail that code writes rather than templates, per shipped
 * language: dates (weekday and month names, order, the queue's time zone) and the lines of
 * the survey links. Dates are made with GLib's GDateTime and names from the tables below,
 * never with setlocale()/strftime(): the locale is process-global (one thread would change
 * another's mail) and a server may not have the locales installed.
 * Owns constant tables only: any thread. */
#include "config.h"
#include "postdesk/compose.h"

#include <string.h>

#include "compose-private.h"

/* The pattern of a date: %W weekday, %d day, %M month, %Y year, %T HH:MM, %Z the zone's
 * abbreviation (CET, CEST, UTC); other text is copied. */
static const struct compose_lang_words words[] = {
    {"en",
     {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
     {"January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December"},
     "%W, %d %M %Y at %T (%Z)",
     "Satisfaction:",
     {"", "very unsatisfied", "unsatisfied", "neutral", "satisfied", "very satisfied"},
     "Recommend us (0 = not at all likely, 10 = extremely likely):",
     "How easy was it to get your issue resolved?",
     {"", "very difficult", "difficult", "rather difficult", "neither easy nor difficult", "rather easy", "easy", "very easy"},
     "Or simply reply to this email with a number from 1 to 5; anything else you write is "
     "passed on to the team as your comment."},
    {"de",
     {"Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"},
     {"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
      "Oktober", "November", "Dezember"},
     "%W, %d. %M %Y, %T Uhr (%Z)",
     "Zufriedenheit:",
     {"", "sehr unzufrieden", "unzufrieden", "neutral", "zufrieden", "sehr zufrieden"},
     "Weiterempfehlung (0 = sehr unwahrscheinlich, 10 = sehr wahrscheinlich):",
     "Wie einfach war es für Sie, Ihr Anliegen zu lösen?",
     {"", "sehr schwierig", "schwierig", "eher schwierig", "weder einfach noch schwierig", "eher einfach", "einfach", "sehr einfach"},
     "Sie können auch einfach auf diese E-Mail antworten und eine Zahl von 1 bis 5 "
     "nennen; alles, was Sie dazuschreiben, geben wir als Ihren Kommentar an das Team "
     "weiter."},
    {"fr",
     {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"},
     {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
      "octobre", "novembre", "décembre"},
     "%W %d %M %Y à %T (%Z)",
     "Satisfaction :",
     {"", "très insatisfait", "insatisfait", "neutre", "satisfait", "très satisfait"},
     "Nous recommanderiez-vous ? (0 = pas du tout probable, 10 = très probable) :",
     "Dans quelle mesure a-t-il été facile de résoudre votre demande ?",
     {"", "très difficile", "difficile", "plutôt difficile", "ni facile ni difficile", "plutôt facile", "facile", "très facile"},
     "Vous pouvez aussi simplement répondre à cet e-mail en indiquant un chiffre de 1 à 5 ; "
     "tout ce que vous ajoutez sera transmis à l'équipe comme commentaire."},
    {"es",
     {"lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"},
     {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
      "octubre", "noviembre", "diciembre"},
     "%W, %d de %M de %Y, %T (%Z)",
     "Satisfacción:",
     {"", "muy insatisfecho", "insatisfecho", "neutral", "satisfecho", "muy satisfecho"},
     "¿Nos recomendaría? (0 = nada probable, 10 = muy probable):",
     "¿Qué tan fácil le resultó que se resolviera su consulta?",
     {"", "muy difícil", "difícil", "algo difícil", "ni fácil ni difícil", "bastante fácil", "fácil", "muy fácil"},
     "También puede responder a este correo con un número del 1 al 5; todo lo demás que "
     "escriba se lo haremos llegar al equipo como comentario."},
    {"it",
     {"lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"},
     {"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
      "settembre", "ottobre", "novembre", "dicembre"},
     "%W %d %M %Y, ore %T (%Z)",
     "Soddisfazione:",
     {"", "per niente soddisfatto", "poco soddisfatto", "nella media", "soddisfatto",
      "molto soddisfatto"},
     "Ci consiglierebbe? (0 = per niente probabile, 10 = molto probabile):",
     "Quanto è stato facile risolvere la Sua richiesta?",
     {"", "molto difficile", "difficile", "piuttosto difficile", "né facile né difficile", "piuttosto facile", "facile", "molto facile"},
     "Può anche rispondere semplicemente a questa e-mail con un numero da 1 a 5; qualsiasi "
     "altra cosa scriva verrà inoltrata al team come Suo commento."},
    {"nl",
     {"maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"},
     {"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
      "oktober", "november", "december"},
     "%W %d %M %Y om %T (%Z)",
     "Tevredenheid:",
     {"", "zeer ontevreden", "ontevreden", "neutraal", "tevreden", "zeer tevreden"},
     "Zou u ons aanbevelen? (0 = zeer onwaarschijnlijk, 10 = zeer waarschijnlijk):",
     "Hoe gemakkelijk was het om uw vraag opgelost te krijgen?",
     {"", "zeer moeilijk", "moeilijk", "eerder moeilijk", "niet makkelijk, niet moeilijk", "eerder makkelijk", "makkelijk", "zeer makkelijk"},
     "U kunt ook gewoon op deze e-mail antwoorden met een cijfer van 1 tot 5; alles wat u "
     "er verder bij schrijft, geven we als uw opmerking door aan het team."},
};

const struct compose_lang_words *compose_lang_words(const char *lang)
{
	for (guint i = 0; i < G_N_ELEMENTS(words); i++)
		if (g_strcmp0(words[i].code, lang) == 0)
			return &words[i];
	return &words[0];
}

char *compose_date_format(gint64 t, const char *lang, const char *tz_name)
{
	const struct compose_lang_words *w = compose_lang_words(lang);
	GTimeZone *tz = tz_name != NULL ? g_time_zone_new_identifier(tz_name) : NULL;
	GDateTime *utc = g_date_time_new_from_unix_utc(t), *local;
	GString *s = g_string_new(NULL);

	if (tz == NULL)
		tz = g_time_zone_new_utc();
	local = g_date_time_to_timezone(utc, tz);
	for (const char *p = w->date_pattern; *p != '\0'; p++) {
		if (p[0] != '%' || p[1] == '\0') {
			g_string_append_c(s, *p);
			continue;
		}
		switch (*++p) {
		case 'W':
			g_string_append(s, w->weekdays[g_date_time_get_day_of_week(local) - 1]);
			break;
		case 'd':
			g_string_append_printf(s, "%d", g_date_time_get_day_of_month(local));
			break;
		case 'M':
			g_string_append(s, w->months[g_date_time_get_month(local) - 1]);
			break;
		case 'Y':
			g_string_append_printf(s, "%d", g_date_time_get_year(local));
			break;
		case 'T':
			g_string_append_printf(s, "%02d:%02d", g_date_time_get_hour(local),
					       g_date_time_get_minute(local));
			break;
		case 'Z':
			g_string_append(s, g_date_time_get_timezone_abbreviation(local));
			break;
		default:
			g_string_append_c(s, *p);
		}
	}
	g_date_time_unref(local);
	g_date_time_unref(utc);
	g_time_zone_unref(tz);
	return g_string_free(s, FALSE);
}

void compose_job_lang(struct compose_job *job, const struct store_ticket *t,
		      const struct conf_queue *q)
{
	const char *lang = t != NULL && lang_index(t->lang) >= 0 ? t->lang : q->language;

	job->lang = lang_index(lang) >= 0 ? lang_index(lang) : 0;
}

void compose_var_date(struct compose_job *job, gint64 t, const struct conf_queue *q)
{
	char *date = compose_date_format(t, lang_code(job->lang), q->timezone);

	compose_var(job->vars, "message.date", date);
	g_free(date);
}
