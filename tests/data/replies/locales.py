# Per-language strings of the reply corpus (see README): what each mail client writes in
# that language when it answers a message. Read by gen.py. The shop's notice (`orig`) is
# the quoted original; `reply` holds the customers' or agents' new texts (the expected result).
#
# Placeholders: {N} the quoted sender's display name, {A} its address, {C}/{CA} the replying
# person's name/address (used in the header blocks of the quoted message: To:).

SUP_NAME = "Nordlicht Support"
SUP_ADDR = "support@shop.example"

L = {}

L["en"] = dict(
    cust=("Emma Clarke", "emma.clarke@example.co.uk"),
    subj="Re: [#4711] Order 10023 not delivered",
    orig=["Hello Emma,", "", "thank you for your message. Your order 10023 left our warehouse today;",
          "the tracking number is 00340434161234567890.", "", "Kind regards", "Nordlicht Support"],
    reply=[["Hi,", "", "the parcel still hasn't arrived. Could you check with the courier?", "",
            "Regards,", "Emma"],
           ["Thanks, it arrived this morning. You can close the ticket.", "", "Best wishes", "Emma Clarke"]],
    gmail="On Tue, 3 Mar 2026 at 10:15, {N} <{A}> wrote:",
    apple="On 3 Mar 2026, at 10:15, {N} <{A}> wrote:",
    tb="On 03/03/2026 10:15, {N} wrote:",
    yahoo="On Tuesday, 3 March 2026, 10:15:06 GMT, {N} <{A}> wrote:",
    zoho="---- On Tue, 03 Mar 2026 10:15:06 +0000 {N} <{A}> wrote ----",
    ol=("From", "Sent", "To", "Subject"), olsent="Tuesday, March 3, 2026 10:15 AM",
    olsep="-----Original Message-----",
    iphone="Sent from my iPhone", galaxy="Sent from my Galaxy",
    samsep="-------- Original message --------", sam=("From", "Date", "To", "Subject"),
    samdate="03/03/2026 10:15 (GMT+00:00)", olios="Get Outlook for iOS",
    zimsep="----- Original Message -----", zim=("From", "To", "Sent", "Subject"),
    zimdate="Tuesday, March 3, 2026 10:15:06 AM",
)

L["de"] = dict(
    cust=("Jonas Becker", "jonas.becker@example.de"),
    subj="AW: [#4711] Bestellung 10023 nicht angekommen",
    orig=["Hallo Herr Becker,", "", "vielen Dank für Ihre Nachricht. Ihre Bestellung 10023 hat heute unser Lager",
          "verlassen, die Sendungsnummer lautet 00340434161234567890.", "", "Mit freundlichen Grüßen",
          "Nordlicht Support"],
    reply=[["Hallo,", "", "das Paket ist leider immer noch nicht da. Können Sie beim Versanddienst nachfragen?",
            "", "Viele Grüße", "Jonas Becker"],
           ["Danke, ist heute angekommen. Das Ticket kann geschlossen werden.", "", "Gruß,", "Jonas"]],
    gmail="Am Di., 3. März 2026 um 10:15 Uhr schrieb {N} <{A}>:",
    apple="Am 03.03.2026 um 10:15 schrieb {N} <{A}>:",
    tb="Am 03.03.26 um 10:15 schrieb {N}:",
    yahoo="Am Dienstag, 3. März 2026, 10:15:06 MEZ hat {N} <{A}> Folgendes geschrieben:",
    zoho="---- Am Di, 03 Mär 2026 10:15:06 +0100 schrieb {N} <{A}> ----",
    ol=("Von", "Gesendet", "An", "Betreff"), olsent="Dienstag, 3. März 2026 10:15",
    olsep="-----Ursprüngliche Nachricht-----",
    iphone="Von meinem iPhone gesendet", galaxy="Von meinem Samsung Galaxy Smartphone gesendet.",
    samsep="-------- Ursprüngliche Nachricht --------", sam=("Von", "Datum", "An", "Betreff"),
    samdate="03.03.26 10:15 (GMT+01:00)", olios="Outlook für iOS beziehen",
    zimsep="----- Ursprüngliche Mail -----", zim=("Von", "An", "Gesendet", "Betreff"),
    zimdate="Dienstag, 3. März 2026 10:15:06",
)

L["fr"] = dict(
    cust=("Camille Martin", "camille.martin@example.fr"),
    subj="RE: [#4711] Commande 10023 non reçue",
    orig=["Bonjour Camille,", "", "merci pour votre message. Votre commande 10023 a quitté notre entrepôt aujourd'hui,",
          "le numéro de suivi est 00340434161234567890.", "", "Cordialement,", "Nordlicht Support"],
    reply=[["Bonjour,", "", "le colis n'est toujours pas arrivé. Pouvez-vous vérifier auprès du transporteur ?",
            "", "Cordialement,", "Camille Martin"],
           ["Merci, je l'ai reçu ce matin. Vous pouvez clore la demande.", "", "Bonne journée", "Camille"]],
    gmail="Le mar. 3 mars 2026 à 10:15, {N} <{A}> a écrit :",
    apple="Le 3 mars 2026 à 10:15, {N} <{A}> a écrit :",
    tb="Le 03/03/2026 à 10:15, {N} a écrit :",
    yahoo="Le mardi 3 mars 2026, 10:15:06 UTC+1, {N} <{A}> a écrit :",
    zoho="---- Le mar., 03 mars 2026 10:15:06 +0100 {N} <{A}> a écrit ----",
    ol=("De", "Envoyé", "À", "Objet"), olsent="mardi 3 mars 2026 10:15", olspace=True,
    olsep="-----Message d'origine-----",
    iphone="Envoyé de mon iPhone", galaxy="Envoyé depuis mon appareil Galaxy",
    samsep="-------- Message d'origine --------", sam=("De", "Date", "À", "Objet"), samspace=True,
    samdate="03/03/2026 10:15 (GMT+01:00)", olios="Envoyé à partir de Outlook pour iOS",
    zimsep="----- Mail original -----", zim=("De", "À", "Envoyé", "Objet"),
    zimdate="Mardi 3 Mars 2026 10:15:06",
)

L["es"] = dict(
    cust=("Lucía Fernández", "lucia.fernandez@example.es"),
    subj="RE: [#4711] Pedido 10023 no entregado",
    orig=["Hola Lucía:", "", "gracias por su mensaje. Su pedido 10023 ha salido hoy de nuestro almacén;",
          "el número de seguimiento es 00340434161234567890.", "", "Saludos cordiales,", "Nordlicht Support"],
    reply=[["Hola:", "", "el paquete todavía no ha llegado. ¿Pueden consultarlo con la empresa de transporte?",
            "", "Saludos,", "Lucía"],
           ["Gracias, ya lo he recibido. Pueden cerrar la incidencia.", "", "Un saludo", "Lucía Fernández"]],
    gmail="El mar, 3 mar 2026 a las 10:15, {N} (<{A}>) escribió:",
    apple="El 3 mar 2026, a las 10:15, {N} <{A}> escribió:",
    tb="El 3/3/26 a las 10:15, {N} escribió:",
    yahoo="El martes, 3 de marzo de 2026, 10:15:06 CET, {N} <{A}> escribió:",
    zoho="---- El mar, 03 mar 2026 10:15:06 +0100 {N} <{A}> escribió ----",
    ol=("De", "Enviado el", "Para", "Asunto"), olsent="martes, 3 de marzo de 2026 10:15",
    olsep="-----Mensaje original-----",
    iphone="Enviado desde mi iPhone", galaxy="Enviado desde mi smartphone Samsung Galaxy.",
    samsep="-------- Mensaje original --------", sam=("De", "Fecha", "Para", "Asunto"),
    samdate="3/3/26 10:15 (GMT+01:00)", olios="Obtener Outlook para iOS",
    zimsep="----- Mensaje original -----", zim=("De", "Para", "Enviados", "Asunto"),
    zimdate="Martes, 3 de Marzo de 2026 10:15:06",
)

L["it"] = dict(
    cust=("Giulia Romano", "giulia.romano@example.it"),
    subj="R: [#4711] Ordine 10023 non consegnato",
    orig=["Gentile Giulia,", "", "grazie per il messaggio. Il suo ordine 10023 è partito oggi dal nostro magazzino;",
          "il numero di tracciamento è 00340434161234567890.", "", "Cordiali saluti", "Nordlicht Support"],
    reply=[["Buongiorno,", "", "il pacco non è ancora arrivato. Potete verificare con il corriere?", "",
            "Cordiali saluti,", "Giulia Romano"],
           ["Grazie, è arrivato stamattina. Potete chiudere la richiesta.", "", "Saluti", "Giulia"]],
    gmail="Il giorno mar 3 mar 2026 alle ore 10:15 {N} <{A}> ha scritto:",
    apple="Il giorno 3 mar 2026, alle ore 10:15, {N} <{A}> ha scritto:",
    tb="Il 03/03/26 10:15, {N} ha scritto:",
    yahoo="Il martedì 3 marzo 2026, 10:15:06 CET, {N} <{A}> ha scritto:",
    zoho="---- Il mar, 03 mar 2026 10:15:06 +0100 {N} <{A}> ha scritto ----",
    ol=("Da", "Inviato", "A", "Oggetto"), olsent="martedì 3 marzo 2026 10:15",
    olsep="-----Messaggio originale-----",
    iphone="Inviato da iPhone", galaxy="Inviato dal mio Galaxy",
    samsep="-------- Messaggio originale --------", sam=("Da", "Data", "A", "Oggetto"),
    samdate="03/03/26 10:15 (GMT+01:00)", olios="Scarica Outlook per iOS",
    zimsep="----- Messaggio originale -----", zim=("Da", "A", "Inviato", "Oggetto"),
    zimdate="Martedì, 3 marzo 2026 10:15:06",
)

L["nl"] = dict(
    cust=("Sanne de Vries", "sanne.devries@example.nl"),
    subj="RE: [#4711] Bestelling 10023 niet bezorgd",
    orig=["Beste Sanne,", "", "bedankt voor je bericht. Je bestelling 10023 heeft vandaag ons magazijn verlaten;",
          "het trackingnummer is 00340434161234567890.", "", "Met vriendelijke groet,", "Nordlicht Support"],
    reply=[["Hallo,", "", "het pakket is nog steeds niet aangekomen. Kunnen jullie het bij de vervoerder navragen?",
            "", "Groeten,", "Sanne"],
           ["Dank je, het is vanochtend bezorgd. Het ticket mag dicht.", "", "Met vriendelijke groet,",
            "Sanne de Vries"]],
    gmail="Op di 3 mrt 2026 om 10:15 schreef {N} <{A}>:",
    apple="Op 3 mrt 2026 om 10:15 heeft {N} <{A}> het volgende geschreven:",
    tb="Op 03-03-2026 om 10:15 schreef {N}:",
    yahoo="Op dinsdag 3 maart 2026 10:15:06 CET schreef {N} <{A}>:",
    zoho="---- Op di, 03 mrt 2026 10:15:06 +0100 schreef {N} <{A}> ----",
    ol=("Van", "Verzonden", "Aan", "Onderwerp"), olsent="dinsdag 3 maart 2026 10:15",
    olsep="-----Oorspronkelijk bericht-----",
    iphone="Verstuurd vanaf mijn iPhone", galaxy="Verzonden vanaf mijn Galaxy",
    samsep="-------- Oorspronkelijk bericht --------", sam=("Van", "Datum", "Aan", "Onderwerp"),
    samdate="03-03-2026 10:15 (GMT+01:00)", olios="Outlook voor iOS downloaden",
    zimsep="----- Oorspronkelijk bericht -----", zim=("Van", "Aan", "Verzonden", "Onderwerp"),
    zimdate="Dinsdag 3 maart 2026 10:15:06",
)

L["pt"] = dict(
    cust=("Beatriz Costa", "beatriz.costa@example.com.br"),
    subj="RE: [#4711] Pedido 10023 não entregue",
    orig=["Olá Beatriz,", "", "obrigado pela sua mensagem. O seu pedido 10023 saiu hoje do nosso armazém;",
          "o código de rastreio é 00340434161234567890.", "", "Atenciosamente,", "Nordlicht Support"],
    reply=[["Olá,", "", "a encomenda ainda não chegou. Podem verificar com a transportadora?", "",
            "Atenciosamente,", "Beatriz Costa"],
           ["Obrigada, chegou hoje de manhã. Podem encerrar o chamado.", "", "Abraços,", "Beatriz"]],
    gmail="Em ter., 3 de mar. de 2026 às 10:15, {N} <{A}> escreveu:",
    apple="Em 3 de mar. de 2026, à(s) 10:15, {N} <{A}> escreveu:",
    tb="Em 03/03/2026 10:15, {N} escreveu:",
    yahoo="Em terça-feira, 3 de março de 2026 10:15:06 BRT, {N} <{A}> escreveu:",
    zoho="---- Em ter, 03 mar 2026 10:15:06 -0300 {N} <{A}> escreveu ----",
    ol=("De", "Enviado", "Para", "Assunto"), olsent="terça-feira, 3 de março de 2026 10:15",
    olsep="-----Mensagem original-----",
    iphone="Enviado do meu iPhone", galaxy="Enviado do meu Galaxy",
    samsep="-------- Mensagem original --------", sam=("De", "Data", "Para", "Assunto"),
    samdate="03/03/2026 10:15 (GMT-03:00)", olios="Obter o Outlook para iOS",
    zimsep="----- Mensagem original -----", zim=("De", "Para", "Enviadas", "Assunto"),
    zimdate="Terça-feira, 3 de março de 2026 10:15:06",
)

L["pl"] = dict(
    cust=("Katarzyna Nowak", "katarzyna.nowak@example.pl"),
    subj="RE: [#4711] Zamówienie 10023 nie dotarło",
    orig=["Dzień dobry,", "", "dziękujemy za wiadomość. Zamówienie 10023 opuściło dziś nasz magazyn;",
          "numer przesyłki to 00340434161234567890.", "", "Pozdrawiamy", "Nordlicht Support"],
    reply=[["Dzień dobry,", "", "paczka nadal nie dotarła. Czy mogą Państwo sprawdzić to u przewoźnika?", "",
            "Pozdrawiam,", "Katarzyna Nowak"],
           ["Dziękuję, paczka dotarła dziś rano. Zgłoszenie można zamknąć.", "", "Pozdrawiam", "Kasia"]],
    gmail="wt., 3 mar 2026 o 10:15 {N} <{A}> napisał(a):",
    apple="Wiadomość napisana przez {N} <{A}> w dniu 3 mar 2026, o godz. 10:15:",
    tb="W dniu 3.03.2026 o 10:15, {N} pisze:",
    yahoo="W wtorek, 3 marca 2026 10:15:06 CET, {N} <{A}> napisał(-a):",
    ol=("Od", "Wysłano", "Do", "Temat"), olsent="wtorek, 3 marca 2026 10:15",
    olsep="-----Wiadomość oryginalna-----",
    iphone="Wysłane z iPhone’a", galaxy="Wysłane z mojego Galaxy",
    samsep="-------- Oryginalna wiadomość --------", sam=("Od", "Data", "Do", "Temat"),
    samdate="03.03.2026 10:15 (GMT+01:00)", olios="Pobierz program Outlook dla systemu iOS",
    zimsep="----- Oryginalna wiadomość -----", zim=("Od", "Do", "Wysłane", "Temat"),
    zimdate="wtorek, 3 marzec 2026 10:15:06",
)

L["cs"] = dict(
    cust=("Tereza Dvořáková", "tereza.dvorakova@example.cz"),
    subj="RE: [#4711] Objednávka 10023 nedoručena",
    orig=["Dobrý den,", "", "děkujeme za zprávu. Vaše objednávka 10023 dnes opustila náš sklad;",
          "číslo zásilky je 00340434161234567890.", "", "S pozdravem", "Nordlicht Support"],
    reply=[["Dobrý den,", "", "balík stále nedorazil. Můžete to prosím ověřit u dopravce?", "",
            "S pozdravem,", "Tereza Dvořáková"],
           ["Děkuji, balík dnes ráno dorazil. Požadavek můžete uzavřít.", "", "Díky", "Tereza"]],
    gmail="út 3. 3. 2026 v 10:15 odesílatel {N} <{A}> napsal:",
    apple="3. 3. 2026 v 10:15, {N} <{A}>:",
    tb="Dne 03. 03. 26 v 10:15 {N} napsal(a):",
    yahoo="Dne úterý 3. března 2026 10:15:06 SEČ, {N} <{A}> napsal(a):",
    ol=("Od", "Odesláno", "Komu", "Předmět"), olsent="úterý 3. března 2026 10:15",
    olsep="-----Původní zpráva-----",
    iphone="Odesláno z iPhonu", galaxy="Odesláno z mého Galaxy",
    samsep="-------- Původní zpráva --------", sam=("Od", "Datum", "Komu", "Předmět"),
    samdate="03.03.26 10:15 (GMT+01:00)", olios="Stáhněte si Outlook pro iOS",
    zimsep="----- Původní zpráva -----", zim=("Od", "Komu", "Odesláno", "Předmět"),
    zimdate="Úterý, 3. březen 2026 10:15:06",
)

L["sv"] = dict(
    cust=("Elin Lindqvist", "elin.lindqvist@example.se"),
    subj="SV: [#4711] Order 10023 har inte levererats",
    orig=["Hej Elin,", "", "tack för ditt meddelande. Din order 10023 lämnade vårt lager i dag;",
          "kollinumret är 00340434161234567890.", "", "Vänliga hälsningar", "Nordlicht Support"],
    reply=[["Hej,", "", "paketet har fortfarande inte kommit. Kan ni kontrollera med fraktbolaget?", "",
            "Med vänlig hälsning,", "Elin Lindqvist"],
           ["Tack, paketet kom i morse. Ärendet kan stängas.", "", "Hälsningar", "Elin"]],
    gmail="Den tis 3 mars 2026 kl 10:15 skrev {N} <{A}>:",
    apple="3 mars 2026 kl. 10:15 skrev {N} <{A}>:",
    tb="2026-03-03 kl. 10:15, skrev {N}:",
    yahoo="Den tisdag 3 mars 2026 10:15:06 CET, {N} <{A}> skrev:",
    ol=("Från", "Skickat", "Till", "Ämne"), olsent="den 3 mars 2026 10:15",
    olsep="-----Ursprungligt meddelande-----",
    iphone="Skickat från min iPhone", galaxy="Skickat från min Galaxy",
    samsep="-------- Originalmeddelande --------", sam=("Från", "Datum", "Till", "Ämne"),
    samdate="2026-03-03 10:15 (GMT+01:00)", olios="Hämta Outlook för iOS",
    zimsep="----- Originalmeddelande -----", zim=("Från", "Till", "Skickat", "Ämne"),
    zimdate="tisdag, 3 mars 2026 10:15:06",
)

L["da"] = dict(
    cust=("Mette Nielsen", "mette.nielsen@example.dk"),
    subj="SV: [#4711] Ordre 10023 ikke leveret",
    orig=["Hej Mette,", "", "tak for din besked. Din ordre 10023 har forladt vores lager i dag;",
          "sporingsnummeret er 00340434161234567890.", "", "Venlig hilsen", "Nordlicht Support"],
    reply=[["Hej,", "", "pakken er stadig ikke kommet. Kan I undersøge det hos fragtfirmaet?", "",
            "Med venlig hilsen", "Mette Nielsen"],
           ["Tak, pakken kom i morges. I må gerne lukke sagen.", "", "Mvh.", "Mette"]],
    gmail="Den tir. 3. mar. 2026 kl. 10.15 skrev {N} <{A}>:",
    apple="Den 3. mar. 2026 kl. 10.15 skrev {N} <{A}>:",
    tb="Den 03-03-2026 kl. 10:15 skrev {N}:",
    yahoo="Den tirsdag den 3. marts 2026 10.15.06 CET skrev {N} <{A}>:",
    ol=("Fra", "Sendt", "Til", "Emne"), olsent="3. marts 2026 10:15",
    olsep="-----Oprindelig meddelelse-----",
    iphone="Sendt fra min iPhone", galaxy="Sendt fra min Galaxy",
    samsep="-------- Oprindelig besked --------", sam=("Fra", "Dato", "Til", "Emne"),
    samdate="03-03-2026 10:15 (GMT+01:00)", olios="Hent Outlook til iOS",
    zimsep="----- Oprindelig meddelelse -----", zim=("Fra", "Til", "Sendt", "Emne"),
    zimdate="tirsdag, 3. marts 2026 10:15:06",
)

L["nb"] = dict(
    cust=("Ingrid Hansen", "ingrid.hansen@example.no"),
    subj="SV: [#4711] Bestilling 10023 ikke levert",
    orig=["Hei Ingrid,", "", "takk for meldingen. Bestillingen din 10023 har forlatt lageret vårt i dag;",
          "sporingsnummeret er 00340434161234567890.", "", "Vennlig hilsen", "Nordlicht Support"],
    reply=[["Hei,", "", "pakken har fortsatt ikke kommet. Kan dere sjekke med transportøren?", "",
            "Vennlig hilsen", "Ingrid Hansen"],
           ["Takk, pakken kom i dag tidlig. Saken kan lukkes.", "", "Hilsen", "Ingrid"]],
    gmail="tir. 3. mar. 2026 kl. 10:15 skrev {N} <{A}>:",
    apple="3. mar. 2026 kl. 10:15 skrev {N} <{A}>:",
    tb="03.03.2026 10:15, skrev {N}:",
    yahoo="Tirsdag 3. mars 2026, 10:15:06 CET, skrev {N} <{A}>:",
    ol=("Fra", "Sendt", "Til", "Emne"), olsent="tirsdag 3. mars 2026 10:15",
    olsep="-----Opprinnelig melding-----",
    iphone="Sendt fra min iPhone", galaxy="Sendt fra min Galaxy",
    samsep="-------- Opprinnelig melding --------", sam=("Fra", "Dato", "Til", "Emne"),
    samdate="03.03.2026 10:15 (GMT+01:00)", olios="Få Outlook for iOS",
    zimsep="----- Opprinnelig melding -----", zim=("Fra", "Til", "Sendt", "Emne"),
    zimdate="tirsdag 3. mars 2026 10:15:06",
)

L["fi"] = dict(
    cust=("Aino Virtanen", "aino.virtanen@example.fi"),
    subj="VS: [#4711] Tilaus 10023 ei ole saapunut",
    orig=["Hei Aino,", "", "kiitos viestistäsi. Tilauksesi 10023 lähti tänään varastostamme;",
          "seurantanumero on 00340434161234567890.", "", "Ystävällisin terveisin", "Nordlicht Support"],
    reply=[["Hei,", "", "paketti ei ole vieläkään tullut. Voisitteko tarkistaa asian kuljetusliikkeeltä?", "",
            "Terveisin,", "Aino Virtanen"],
           ["Kiitos, paketti tuli tänä aamuna. Tiketin voi sulkea.", "", "Terveisin", "Aino"]],
    gmail="ti 3. maalisk. 2026 klo 10.15 {N} ({A}) kirjoitti:",
    apple="{N} <{A}> kirjoitti 3.3.2026 kello 10.15:",
    tb="3.3.2026 klo 10.15 {N} kirjoitti:",
    yahoo="tiistai 3. maaliskuuta 2026 klo 10.15.06 UTC+2, {N} <{A}> kirjoitti:",
    ol=("Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe"), olsent="tiistai 3. maaliskuuta 2026 10.15",
    olsep="-----Alkuperäinen viesti-----",
    iphone="Lähetetty iPhonesta", galaxy="Lähetetty Galaxy-laitteesta",
    samsep="-------- Alkuperäinen viesti --------", sam=("Lähettäjä", "Päivämäärä", "Vastaanottaja", "Aihe"),
    samdate="3.3.2026 10.15 (GMT+02:00)", olios="Hanki Outlook for iOS",
    zimsep="----- Alkuperäinen viesti -----", zim=("Lähettäjä", "Vastaanottaja", "Lähetetty", "Aihe"),
    zimdate="tiistai, 3. maaliskuuta 2026 10:15:06",
)

L["ru"] = dict(
    cust=("Анна Смирнова", "anna.smirnova@example.ru"),
    subj="RE: [#4711] Заказ 10023 не доставлен",
    orig=["Здравствуйте, Анна!", "", "Спасибо за ваше сообщение. Ваш заказ 10023 сегодня отправлен со склада;",
          "номер отслеживания 00340434161234567890.", "", "С уважением,", "Nordlicht Support"],
    reply=[["Здравствуйте!", "", "Посылка до сих пор не пришла. Можете уточнить у службы доставки?", "",
            "С уважением,", "Анна Смирнова"],
           ["Спасибо, посылка пришла сегодня утром. Заявку можно закрыть.", "", "Всего доброго,", "Анна"]],
    gmail="вт, 3 мар. 2026 г. в 10:15, {N} <{A}>:",
    apple="3 марта 2026 г., в 10:15, {N} <{A}> написал(а):",
    tb="03.03.2026 10:15, {N} пишет:",
    yahoo="вторник, 3 марта 2026 г., 10:15:06 GMT+3, {N} <{A}> написал(-а):",
    ol=("От", "Отправлено", "Кому", "Тема"), olsent="3 марта 2026 г. 10:15",
    olsep="-----Исходное сообщение-----",
    iphone="Отправлено с iPhone", galaxy="Отправлено с устройства Galaxy",
    samsep="-------- Исходное сообщение --------", sam=("От", "Дата", "Кому", "Тема"),
    samdate="03.03.2026 10:15 (GMT+03:00)", olios="Получить Outlook для iOS",
    zimsep="----- Исходное сообщение -----", zim=("От", "Кому", "Отправлено", "Тема"),
    zimdate="Вторник, 3 Март 2026 г. 10:15:06",
)

L["uk"] = dict(
    cust=("Олена Коваленко", "olena.kovalenko@example.com.ua"),
    subj="RE: [#4711] Замовлення 10023 не доставлено",
    orig=["Доброго дня, Олено!", "", "Дякуємо за повідомлення. Ваше замовлення 10023 сьогодні відправлено зі складу;",
          "номер відстеження 00340434161234567890.", "", "З повагою,", "Nordlicht Support"],
    reply=[["Доброго дня!", "", "Посилка досі не прийшла. Чи можете перевірити у служби доставки?", "",
            "З повагою,", "Олена Коваленко"],
           ["Дякую, посилку отримала сьогодні зранку. Звернення можна закрити.", "", "Гарного дня,", "Олена"]],
    gmail="вт, 3 бер. 2026 р. о 10:15 {N} <{A}> пише:",
    apple="3 бер. 2026 р. о 10:15 {N} <{A}> написав(ла):",
    tb="03.03.2026 10:15, {N} пише:",
    yahoo="вівторок, 3 березня 2026 р., 10:15:06 GMT+2, {N} <{A}> написав(-ла):",
    ol=("Від", "Надіслано", "Кому", "Тема"), olsent="3 березня 2026 р. 10:15",
    olsep="-----Оригінальне повідомлення-----",
    iphone="Надіслано з iPhone", galaxy="Надіслано з мого Galaxy",
    samsep="-------- Оригінальне повідомлення --------", sam=("Від", "Дата", "Кому", "Тема"),
    samdate="03.03.2026 10:15 (GMT+02:00)", olios="Отримати Outlook для iOS",
    zimsep="----- Вихідне повідомлення -----", zim=("Від", "Кому", "Надіслано", "Тема"),
    zimdate="Вівторок, 3 Березень 2026 р. 10:15:06",
)

L["tr"] = dict(
    cust=("Ayşe Yılmaz", "ayse.yilmaz@example.com.tr"),
    subj="YNT: [#4711] 10023 numaralı sipariş teslim edilmedi",
    orig=["Merhaba Ayşe Hanım,", "", "mesajınız için teşekkür ederiz. 10023 numaralı siparişiniz bugün depomuzdan çıktı;",
          "takip numarası 00340434161234567890.", "", "Saygılarımızla,", "Nordlicht Support"],
    reply=[["Merhaba,", "", "paket hâlâ gelmedi. Kargo firmasıyla kontrol edebilir misiniz?", "",
            "Saygılarımla,", "Ayşe Yılmaz"],
           ["Teşekkürler, paket bu sabah geldi. Talebi kapatabilirsiniz.", "", "İyi günler", "Ayşe"]],
    gmail="{N} <{A}>, 3 Mar 2026 Sal, 10:15 tarihinde şunu yazdı:",
    apple="3 Mar 2026 tarihinde 10:15 saatinde, {N} <{A}> şunları yazdı:",
    tb="3.03.2026 10:15 tarihinde {N} yazdı:",
    yahoo="3 Mart 2026 Salı 10:15:06 GMT+3 tarihinde {N} <{A}> şunu yazdı:",
    ol=("Kimden", "Gönderildi", "Kime", "Konu"), olsent="3 Mart 2026 Salı 10:15",
    olsep="-----Özgün İleti-----",
    iphone="iPhone'umdan gönderildi", galaxy="Samsung Galaxy akıllı telefonumdan gönderildi.",
    samsep="-------- Orijinal mesaj --------", sam=("Kimden", "Tarih", "Kime", "Konu"),
    samdate="3.03.2026 10:15 (GMT+03:00)", olios="iOS için Outlook'u edinin",
    zimsep="----- Orijinal Mesaj -----", zim=("Kimden", "Kime", "Gönderilenler", "Konu"),
    zimdate="Salı, 3 Mart 2026 10:15:06",
)

L["el"] = dict(
    cust=("Μαρία Παπαδοπούλου", "maria.papadopoulou@example.gr"),
    subj="ΑΠ: [#4711] Η παραγγελία 10023 δεν παραδόθηκε",
    orig=["Αγαπητή κυρία Παπαδοπούλου,", "", "σας ευχαριστούμε για το μήνυμά σας. Η παραγγελία 10023 έφυγε σήμερα από την αποθήκη μας·",
          "ο αριθμός αποστολής είναι 00340434161234567890.", "", "Με εκτίμηση,", "Nordlicht Support"],
    reply=[["Καλημέρα σας,", "", "το δέμα δεν έχει φτάσει ακόμη. Μπορείτε να το ελέγξετε με την εταιρεία courier;", "",
            "Με εκτίμηση,", "Μαρία Παπαδοπούλου"],
           ["Ευχαριστώ, το δέμα έφτασε σήμερα το πρωί. Μπορείτε να κλείσετε το αίτημα.", "", "Χαιρετισμούς,", "Μαρία"]],
    gmail="Στις Τρί 3 Μαρ 2026 στις 10:15, ο/η {N} <{A}> έγραψε:",
    apple="Στις 3 Μαρ 2026, στις 10:15, ο χρήστης {N} <{A}> έγραψε:",
    tb="Στις 3/3/26 10:15, ο/η {N} έγραψε:",
    yahoo="Τρίτη, 3 Μαρτίου 2026, 10:15:06 μ.μ. EET, ο χρήστης {N} <{A}> έγραψε:",
    ol=("Από", "Εστάλη", "Προς", "Θέμα"), olsent="Τρίτη, 3 Μαρτίου 2026 10:15 πμ",
    olsep="-----Αρχικό μήνυμα-----",
    iphone="Εστάλη από iPhone", galaxy="Στάλθηκε από το Galaxy μου",
    samsep="-------- Αρχικό μήνυμα --------", sam=("Από", "Ημερομηνία", "Προς", "Θέμα"),
    samdate="3/3/26 10:15 (GMT+02:00)", olios="Λήψη του Outlook για iOS",
    zimsep="----- Αρχικό μήνυμα -----", zim=("Από", "Προς", "Στάλθηκαν", "Θέμα"),
    zimdate="Τρίτη, 3 Μαρτίου 2026 10:15:06",
)

L["ja"] = dict(
    cust=("山田 花子", "hanako.yamada@example.jp"),
    subj="RE: [#4711] 注文10023が届きません",
    orig=["山田様", "", "お問い合わせありがとうございます。ご注文10023は本日倉庫から発送いたしました。",
          "追跡番号は00340434161234567890です。", "", "よろしくお願いいたします。", "Nordlicht Support"],
    reply=[["お世話になっております。", "", "荷物がまだ届いていません。配送業者に確認していただけますか？", "",
            "よろしくお願いいたします。", "山田 花子"],
           ["ありがとうございます。今朝届きました。チケットを閉じていただいて結構です。", "", "山田"]],
    gmail="2026年3月3日(火) 10:15 {N} <{A}>:",
    apple="2026/03/03 10:15、{N} <{A}>のメール:",
    tb="On 2026/03/03 10:15, {N} wrote:",
    yahoo="2026年3月3日(火) 10:15:06 JST、{N} <{A}> さんは書きました:",
    zoho="---- 火, 03 3月 2026 10:15:06 +0900 {N} <{A}> wrote ----",
    ol=("差出人", "送信日時", "宛先", "件名"), olsent="2026年3月3日 10:15",
    olsep="-----Original Message-----",
    iphone="iPhoneから送信", galaxy="Galaxy スマートフォンから送信",
    samsep="-------- オリジナルメッセージ --------", sam=("送信元", "日付", "宛先", "件名"),
    samdate="2026/03/03 10:15 (GMT+09:00)", olios="iOS 版 Outlook を入手",
    zimsep="----- Original Message -----", zim=("差出人", "宛先", "送信済み", "件名"),
    zimdate="2026年3月3日, 火曜日 10:15:06",
)

L["zh"] = dict(
    cust=("王芳", "wang.fang@example.cn"),
    subj="回复: [#4711] 订单10023未送达",
    orig=["王女士您好：", "", "感谢您的来信。您的订单10023已于今天从仓库发出，",
          "运单号为00340434161234567890。", "", "此致", "Nordlicht Support"],
    reply=[["您好，", "", "包裹还是没有到。能帮忙和快递公司确认一下吗？", "", "谢谢！", "王芳"],
           ["谢谢，今天早上收到了。这个工单可以关闭了。", "", "王芳"]],
    gmail="{N} <{A}> 于2026年3月3日周二 10:15写道：",
    apple="2026年3月3日 10:15，{N} <{A}> 写道：",
    tb="在 2026/3/3 10:15, {N} 写道:",
    yahoo="在 2026年3月3日星期二 10:15:06 [GMT+8], {N} <{A}> 写道:",
    zoho="---- 在 星期二, 03 三月 2026 10:15:06 +0800 {N} <{A}> 撰写 ----",
    ol=("发件人", "发送时间", "收件人", "主题"), olsent="2026年3月3日 10:15",
    olsep="-----原始邮件-----",
    iphone="发自我的iPhone", galaxy="发自我的Galaxy",
    samsep="-------- 原始邮件 --------", sam=("发件人", "日期", "收件人", "主题"),
    samdate="2026/3/3 10:15 (GMT+08:00)", olios="获取 Outlook for iOS",
    zimsep="----- 原始邮件 -----", zim=("发件人", "收件人", "发送时间", "主题"),
    zimdate="星期二, 2026年 3 月 03日 10:15:06",
)

L["ko"] = dict(
    cust=("김민지", "minji.kim@example.co.kr"),
    subj="RE: [#4711] 주문 10023 미배송",
    orig=["김민지 고객님, 안녕하세요.", "", "문의해 주셔서 감사합니다. 주문 10023은 오늘 물류센터에서 출고되었습니다.",
          "운송장 번호는 00340434161234567890입니다.", "", "감사합니다.", "Nordlicht Support"],
    reply=[["안녕하세요.", "", "택배가 아직 도착하지 않았습니다. 택배사에 확인해 주실 수 있나요?", "",
            "감사합니다.", "김민지 드림"],
           ["감사합니다. 오늘 아침에 받았습니다. 문의를 종료하셔도 됩니다.", "", "김민지"]],
    gmail="2026년 3월 3일 (화) 오전 10:15, {N} <{A}>님이 작성:",
    apple="2026. 3. 3. 오전 10:15, {N} <{A}> 작성:",
    tb="2026-03-03 오전 10:15에 {N} 이(가) 쓴 글:",
    yahoo="2026년 3월 3일 화요일 오전 10:15:06 GMT+9, {N} <{A}> 작성:",
    ol=("보낸 사람", "보낸 날짜", "받는 사람", "제목"), olsent="2026년 3월 3일 화요일 오전 10:15",
    olsep="-----Original Message-----",
    iphone="나의 iPhone에서 보냄", galaxy="Galaxy에서 보냄",
    samsep="-------- 원본 이메일 --------", sam=("보낸 사람", "날짜", "받는 사람", "제목"),
    samdate="2026/03/03 10:15 (GMT+09:00)", olios="iOS용 Outlook 받기",
    zimsep="----- 원본 메시지 -----", zim=("보낸 사람", "받는 사람", "보낸 날짜", "제목"),
    zimdate="2026년 3월 3일 화요일 오전 10:15:06",
)

L["ar"] = dict(
    cust=("أحمد العلي", "ahmed.alali@example.sa"),
    subj="رد: [#4711] الطلب 10023 لم يصل",
    orig=["مرحباً أحمد،", "", "شكراً لرسالتك. غادر طلبك 10023 مستودعنا اليوم،",
          "ورقم التتبع هو 00340434161234567890.", "", "مع أطيب التحيات،", "Nordlicht Support"],
    reply=[["مرحباً،", "", "الطرد لم يصل حتى الآن. هل يمكنكم التحقق من شركة الشحن؟", "",
            "مع التحية،", "أحمد العلي"],
           ["شكراً، وصل الطرد صباح اليوم. يمكنكم إغلاق الطلب.", "", "أحمد"]],
    gmail="في الثلاثاء، 3 مارس 2026 في 10:15 ص تمت كتابة ما يلي بواسطة {N} <{A}>:",
    apple="في 3 مارس 2026، الساعة 10:15 ص، كتب {N} <{A}>:",
    tb="في 03/03/2026 10:15 ص، كتب {N}:",
    yahoo="في الثلاثاء، 3 مارس 2026، 10:15:06 ص GMT+3، كتب {N} <{A}>:",
    ol=("من", "تم الإرسال", "إلى", "الموضوع"), olsent="الثلاثاء، 3 مارس، 2026 10:15 ص",
    olsep="-----الرسالة الأصلية-----",
    iphone="أُرسلت من الـ iPhone", galaxy="تم الإرسال من هاتف Samsung Galaxy الذكي.",
    samsep="-------- الرسالة الأصلية --------", sam=("من", "التاريخ", "إلى", "الموضوع"),
    samdate="03/03/2026 10:15 (GMT+03:00)", olios="احصل على Outlook لـ iOS",
    zimsep="----- الرسالة الأصلية -----", zim=("من", "إلى", "تم الإرسال", "الموضوع"),
    zimdate="الثلاثاء، 3 مارس 2026 10:15:06",
)

L["he"] = dict(
    cust=("דנה כהן", "dana.cohen@example.co.il"),
    subj="השב: [#4711] הזמנה 10023 לא הגיעה",
    orig=["שלום דנה,", "", "תודה על פנייתך. הזמנה 10023 יצאה היום מהמחסן שלנו;",
          "מספר המעקב הוא 00340434161234567890.", "", "בברכה,", "Nordlicht Support"],
    reply=[["שלום,", "", "החבילה עדיין לא הגיעה. תוכלו לבדוק מול חברת השליחויות?", "",
            "תודה,", "דנה כהן"],
           ["תודה, החבילה הגיעה הבוקר. אפשר לסגור את הפנייה.", "", "בברכה,", "דנה"]],
    gmail="\u202bבתאריך יום ג׳, 3 במרץ 2026 ב-10:15 מאת \u202a{N}\u202c\u200f <\u202a{A}\u202c\u200f>:\u202c",
    apple="ב-3 במרץ 2026, בשעה 10:15, \u200f{N} <{A}>\u200f כתב/ה:",
    tb="ב־3.3.2026 10:15, {N} כתב:",
    yahoo="ביום שלישי, 3 במרץ 2026, 10:15:06 GMT+2, מאת {N} <{A}>:",
    ol=("מאת", "נשלח", "אל", "נושא"), olsent="יום שלישי 03 מרץ 2026 10:15",
    olsep="-----הודעה מקורית-----",
    iphone="נשלח מה-iPhone שלי", galaxy="נשלח מה-Galaxy שלי",
    samsep="-------- הודעה מקורית --------", sam=("מאת", "תאריך", "אל", "נושא"),
    samdate="03/03/2026 10:15 (GMT+02:00)", olios="קבל את Outlook עבור iOS",
    zimsep="----- הודעה מקורית -----", zim=("מאת", "אל", "נשלח", "נושא"),
    zimdate="יום שלישי, 3 מרץ 2026 10:15:06",
)

# ---- the language's home-market webmail or client (one each where its format is known),
# replies answered between the quoted lines, and replies holding Name: value blocks of their
# own (order details, a delivery address) that are NOT a quoted message's header block.


def _subj(k):
    return L[k]["subj"]


L["en"]["market"] = dict(client="protonmail", before=["On Tuesday, March 3rd, 2026 at 10:15, {N} <{A}> wrote:", ""])
L["de"]["market"] = dict(client="gmx", quoted=False, mailer=None, before=[
    "Gesendet: Dienstag, 03. März 2026 um 10:15 Uhr", 'Von: "{N}" <{A}>', 'An: "{C}" <{CA}>',
    "Betreff: " + _subj("de"), ""])
L["fr"]["market"] = dict(client="orange", before=[
    "> Message du 03/03/26 10:15", '> De : "{N}" <{A}>', '> A : "{C}" <{CA}>', "> Copie à : ",
    "> Objet : " + _subj("fr"), ">"])
L["es"]["market"] = dict(client="roundcube", mailer="Roundcube Webmail/1.6.9", before=["El 2026-03-03 10:15, {N} escribió:"])
L["it"]["market"] = dict(client="libero", quoted=False, gap=2, before=[
    "----Messaggio originale----", "Da: {A}", "Data: 3-mar-2026 10.15", 'A: "{C}"<{CA}>',
    "Ogg: " + _subj("it"), ""])
L["nl"]["market"] = dict(client="open-xchange", mailer="Open-Xchange Mailer v7.10.6-Rev62",
                         before=["> Op 3 maart 2026 om 10:15 schreef {N} <{A}>:", "> ", "> "])
L["pt"]["market"] = dict(client="roundcube", mailer="Roundcube Webmail/1.6.9", before=["Em 2026-03-03 10:15, {N} escreveu:"])
L["pl"]["market"] = dict(client="wp", before=["Dnia 3 marca 2026 10:15 {N} <{A}> napisał(a):", ""])
L["cs"]["market"] = dict(client="seznam", quoted=False, before=[
    "---------- Původní e-mail ----------", "Od: {N} <{A}>", "Komu: {C} <{CA}>",
    "Datum: 3. 3. 2026 10:15:06", "Předmět: " + _subj("cs"), ""])
L["sv"]["market"] = dict(client="roundcube", mailer="Roundcube Webmail/1.6.9", before=["Den 2026-03-03 10:15, skrev {N}:"])
L["nb"]["market"] = dict(client="roundcube", mailer="Roundcube Webmail/1.6.9", before=["{N} skrev den 2026-03-03 10:15:"])
L["fi"]["market"] = dict(client="roundcube", mailer="Roundcube Webmail/1.6.9", before=["{N} kirjoitti 3.3.2026 10:15:"])
L["ru"]["market"] = dict(client="mailru", charset="koi8-r",
                         before=["Вторник, 3 марта 2026, 10:15 +03:00 от {N} <{A}>:", ""])
L["uk"]["market"] = dict(client="ukrnet", quoted=False, before=[
    "--- Оригінальне повідомлення ---", 'Від кого: "{N}" <{A}>', "Дата: 3 березня 2026, 10:15:06", ""])
L["tr"]["market"] = dict(client="yandex", before=['03.03.2026, 10:15, "{N}" <{A}>:'])
L["ja"]["market"] = dict(client="becky", charset="iso-2022-jp", mailer="Becky! ver. 2.81.04",
                         before=["On Tue, 03 Mar 2026 10:15:06 +0900", "{N} <{A}> wrote:", ""])
L["zh"]["market"] = dict(client="qqmail", quoted=False, before=[
    "------------------ 原始邮件 ------------------", '发件人: "{N}"<{A}>;', "发送时间: 2026年3月3日(星期二) 上午10:15",
    '收件人: "{C}"<{CA}>;', "主题: " + _subj("zh"), ""])
L["ko"]["market"] = dict(client="naver", quoted=False, before=[
    "-----Original Message-----", 'From: "{N}"<{A}>', 'To: "{C}"<{CA}>;', "Cc: ",
    "Sent: 2026-03-03 (화) 10:15:06 (GMT+09:00)", "Subject: " + _subj("ko"), ""])

L["en"]["inter"] = ["That number is unknown on the courier's website.", "Regards,", "Emma"]
L["de"]["inter"] = ["Die Nummer kennt der Paketdienst leider nicht.", "Gruß", "Jonas"]
L["fr"]["inter"] = ["Ce numéro est inconnu sur le site du transporteur.", "Cordialement,", "Camille"]
L["es"]["inter"] = ["Ese número no aparece en la web de la empresa de transporte.", "Saludos,", "Lucía"]
L["it"]["inter"] = ["Il corriere non riconosce questo numero.", "Saluti,", "Giulia"]
L["nl"]["inter"] = ["Dat nummer kent de vervoerder niet.", "Groeten,", "Sanne"]
L["pl"]["inter"] = ["Przewoźnik nie rozpoznaje tego numeru.", "Pozdrawiam,", "Kasia"]
L["ru"]["inter"] = ["Служба доставки не находит этот номер.", "Спасибо,", "Анна"]

L["en"]["contact"] = ["Please send the replacement to my office instead:", "", "Name: Emma Clarke",
                      "Company: Clarke & Sons Ltd", "Email: emma@clarke-sons.example", "Phone: +44 20 7946 0958",
                      "Hours: Mon-Fri 9:30-17:00"]
L["de"]["contact"] = ["Hier noch einmal die Daten aus der Bestellbestätigung:", "", "Bestellnummer: 10023",
                      "Bestelldatum: 01.03.2026 14:22", "Kunden-E-Mail: jonas.becker@example.de",
                      "Zahlungsart: Rechnung"]
L["fr"]["contact"] = ["Merci de livrer le remplacement à mon bureau :", "", "Société : Martin Conseil SARL",
                      "Contact : Camille Martin", "E-mail : contact@martin-conseil.example",
                      "Téléphone : 01 23 45 67 89", "Livraison : mardi 10 mars 2026 à partir de 14:00"]
L["es"]["contact"] = ["Por favor, envíen el repuesto a mi oficina:", "", "Empresa: Fernández Asesores S.L.",
                      "Contacto: Lucía Fernández", "Correo: oficina@fernandez-asesores.example",
                      "Teléfono: 912 345 678", "Horario: L-V 9:00-14:00"]
L["ja"]["contact"] = ["交換品は会社のほうに送ってください。", "", "会社名: 山田商事株式会社", "担当: 山田 花子",
                      "メール: info@yamada-shoji.example", "電話: 03-1234-5678", "受付時間: 平日 9:00-17:30"]
