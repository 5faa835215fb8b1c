package report

import (
	"fmt"
	"html"
	"html/template"
	"regexp"
	"strings"
)

// lang is a message catalogue: Swedish (the authority report's language
// by default) or English.
type lang struct {
	code string
	m    map[string]string
}

func catalog(code string) lang {
	if code == "en" {
		return lang{"en", msgEN}
	}
	return lang{"sv", msgSV}
}

// get returns the message for key; a missing key shows itself, so that a
// test finds it.
func (l lang) get(key string) string {
	if s, ok := l.m[key]; ok {
		return s
	}
	if s, ok := msgEN[key]; ok {
		return s
	}
	return "{" + key + "}"
}

// f formats the message for key with args (fmt verbs).
func (l lang) f(key string, args ...any) string {
	if len(args) == 0 {
		return l.get(key)
	}
	return fmt.Sprintf(l.get(key), args...)
}

func (l lang) level(name string) string { return l.get("level." + name) }
func (l lang) what(name string) string  { return l.get("what." + name) }

func (l lang) role(name string) string {
	if s, ok := l.m["role."+name]; ok {
		return s
	}
	return name
}

func (l lang) category(name string) string {
	if s, ok := l.m["cat."+name]; ok {
		return s
	}
	return name
}

func (l lang) kind(name string) string {
	if s, ok := l.m["kind."+name]; ok {
		return s
	}
	return name
}

func (l lang) yesNo(b bool) string {
	if b {
		return l.get("yes")
	}
	return l.get("no")
}

func (l lang) columns() []string {
	return strings.Split(l.get("columns"), "|")
}

var (
	boldRE = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	fillRE = regexp.MustCompile(`\[([^\]]+)\]`)
	codeRE = regexp.MustCompile("`([^`]+)`")
)

// htmlText turns a message's light markup (**bold**, [to fill in],
// `code`) into HTML, escaping everything else.
func htmlText(s string) template.HTML {
	s = html.EscapeString(s)
	s = boldRE.ReplaceAllString(s, "<strong>$1</strong>")
	s = fillRE.ReplaceAllString(s, `<span class="fill">[$1]</span>`)
	s = codeRE.ReplaceAllString(s, "<code>$1</code>")
	return template.HTML(unshield.Replace(s))
}

// mdText keeps the markup (it is Markdown) but escapes brackets, which
// Markdown could read as links.
func mdText(s string) string {
	return unshieldMD.Replace(strings.NewReplacer("[", `\[`, "]", `\]`).Replace(s))
}

var (
	unshield   = strings.NewReplacer("\x01", "[", "\x02", "]", "\x03", "*", "\x04", "`")
	unshieldMD = strings.NewReplacer("\x01", `\[`, "\x02", `\]`, "\x03", `\*`, "\x04", "\\`")
)

var msgEN = map[string]string{
	"yes": "yes", "no": "no",
	"sheet":           "Notify",
	"fill.controller": "controller",
	"fill.contact":    "contact point: data protection officer, phone, e-mail",
	"columns":         "No|Identity number|Identity number as given|Kind|Child at the call|Level|Verdict rests on a log gap|Calls exposed/all|Calls: start, call ID, level|Contact numbers (role, call)|Actor categories|First exposure|Other regions|Letter",

	"level.full": "full", "level.partial": "partial", "level.metadata": "metadata", "level.undeterminable": "undeterminable", "level.none": "none",
	"levelx.full":           "the whole recording was downloaded",
	"levelx.partial":        "part of the recording was downloaded",
	"levelx.metadata":       "the file name was seen (phone number, date, region), no audio",
	"levelx.undeterminable": "available while no log was kept: access can neither be shown nor ruled out",
	"levelx.none":           "the logs cover the whole time and show no access",
	"what.full":             "the whole recording of the call was downloaded by someone not entitled to it",
	"what.partial":          "part of the recording of the call was downloaded by someone not entitled to it",
	"what.metadata":         "no sound was downloaded, but the name of the recording file was seen; it shows that the recording exists, the phone number the call came from, and the date of the call",
	"what.undeterminable":   "the recording was reachable during a time for which there are no logs, so we cannot rule out that someone downloaded it",
	"what.none":             "the logs show no access",
	"role.caller":           "caller", "role.patient": "patient",
	"kind.personnummer": "personnummer", "kind.samordningsnummer": "samordningsnummer", "kind.reserve": "reservnummer", "kind.invalid": "not a valid number",
	"cat.authorized": "authorized", "cat.internal": "internal", "cat.press": "press", "cat.crawler": "crawler", "cat.unknown": "unknown",

	"title":                   "Exposure of recorded calls: personal data breach report",
	"title.demo":              "Demo incident: exposure of recorded calls",
	"sub":                     "Personal data breach report. It holds counts only, no identity or phone number; the persons to notify are in the notification lists (one per region) and the letters. Made by %s from %d log inputs and an index of %d recordings. Times in %s.",
	"contents":                "Contents",
	"s.summary":               "Summary",
	"problems":                "These figures cannot be trusted as they are: the analysis ended with exit status 2, for these reasons (also in manifest.json).",
	"s.regions":               "Per controller (region)",
	"s.imy":                   "Draft notification to IMY (Art. 33)",
	"s.imyregion":             "Draft notification to IMY: %s",
	"s.actors":                "Who fetched what",
	"s.time":                  "Accesses over time",
	"s.coverage":              "Log coverage",
	"s.method":                "Evidence and method",
	"s.lists":                 "Notification lists and letters",
	"card.notify":             "persons to notify, of %d in the index",
	"card.kids":               "children among them",
	"card.phones":             "phone numbers exposed (file names seen or fetched)",
	"card.actors":             "actors (IP addresses) not the controller's own, of %d",
	"card.press":              ", %d of them press",
	"th.level":                "Level",
	"th.persons":              "Persons",
	"th.children":             "of them children",
	"th.recs":                 "Recordings",
	"th.meaning":              "Meaning",
	"th.total":                "Total",
	"th.region":               "Region (controller)",
	"th.notify":               "Persons to notify",
	"th.phones":               "Phone numbers exposed",
	"th.actors":               "Actors",
	"th.exposed":              "Recordings exposed",
	"th.undet":                "Recordings undeterminable",
	"th.ongap":                "Verdict rests on a gap",
	"th.list":                 "List",
	"th.rows":                 "Rows",
	"th.category":             "Category",
	"th.reached":              "Persons reached",
	"th.country":              "Country",
	"th.network":              "Network (ASN)",
	"th.ip":                   "IP address",
	"th.label":                "Label",
	"th.where":                "Where (GeoIP), network",
	"th.client":               "Client",
	"th.seen":                 "First and last seen",
	"th.requests":             "Requests",
	"th.listings":             "Listings",
	"th.full":                 "Full",
	"th.partial":              "Partial",
	"th.meta":                 "Metadata",
	"th.source":               "Log source",
	"th.from":                 "From",
	"th.to":                   "To",
	"th.spans":                "Spans",
	"th.gaps":                 "Gaps",
	"th.gaptime":              "Time in gaps",
	"th.duration":             "Duration",
	"th.input":                "Input",
	"th.format":               "Format",
	"th.lines":                "Lines",
	"th.rejected":             "Rejected",
	"th.flag":                 "Flag",
	"th.rows2":                "Exposure rows",
	"flag.wire_bytes":         "only bytes on the wire were logged; the audio bytes were estimated by subtracting the response headers",
	"flag.range_unknown":      "a partial response (206) whose byte range was not logged: bytes counted, position unknown",
	"flag.aborted":            "the server logged the connection as aborted: the client may have kept less than was sent",
	"flag.bytes_not_logged":   "the log format has no byte count: a successful response is taken as delivering the whole file",
	"flag.size_unknown":       "the index gives no file size, so a full delivery cannot be checked",
	"flag.multipart":          "a multi-range request: the logged count includes part headers",
	"flag.listing_unknown":    "the name was in a folder only a filtered or paged listing showed (Apache ?P=, Caddy ?limit=), and the log does not tell whether this page showed it",
	"flag.completion_unknown": "the delivery reaches the end of the file, but the log has no completion field (%X, $request_completion): some servers (Apache %b) log the full length also when the client went away; or the request came over HTTP/2 or HTTP/3, where a stream the client cancelled is logged as complete",

	"th.week":      "Week from",
	"th.day":       "Day",
	"w.from":       "Exposed from",
	"w.to":         "Exposed until",
	"w.first":      "First access seen",
	"w.last":       "Last access seen",
	"w.logs":       "Logs cover",
	"w.uncov":      "Not covered by any log",
	"w.uncovv":     "%s (%s of the window)",
	"unknown":      "unknown",
	"noregion":     "(no region)",
	"whole":        "All regions",
	"key.gap":      "**%d of the %d persons to notify** are on the list only because their recordings were online while no log was kept (%s in %d intervals). The logs cannot show that they were accessed, nor that they were not: **no evidence is not evidence of no access.**",
	"key.gapalso":  " Another %d persons were exposed in the logs and were also online during a gap.",
	"levels.note":  "A person's level is the highest level of any recording they are in. Notify every level but none.",
	"regions.p":    "Each region is a controller of its own and notifies IMY and its patients itself. A person with calls in several regions is counted in each. Numbers per region come from the same outputs as the whole.",
	"regions.none": "Persons and recordings without a region in the index are under \"%s\".",

	"imy.note":      "A draft for the controller to check and complete: text in [brackets] is for you. Report to IMY within 72 hours of becoming aware of the breach; what is not known yet may follow as a supplement (Art. 33(4)). The figures come from the logs and the index as analysed; they change if more logs are found.",
	"imy.ctrl":      "Controller and contact point",
	"imy.ctrlv":     "%s. Contact: %s.",
	"imy.nature":    "Nature of the breach",
	"imy.naturev":   "Breach of confidentiality: unauthorised disclosure of and access to personal data. A server storing recorded telephone calls was reachable from the Internet with directory listing on and without authentication: anyone who found the address could list the folders and download the recordings. The logs show %d successful directory listings and %d requests for recordings.",
	"imy.data":      "Personal data concerned: data concerning health (the content of the calls, special categories, Art. 9); personal identity numbers of adults and children; the callers' phone numbers, which are part of the file names and so visible in every directory listing; the date, time and region of each call.",
	"imy.subjects":  "Categories and approximate number of data subjects",
	"imy.subjectsv": "**%d persons** (of %d in the index), of whom **%d children**. Of them %d had a recording downloaded in full, %d in part, %d had only the file name seen (phone number, date, region), and %d had recordings online while no log was kept, so that access can neither be shown nor ruled out.",
	"imy.roles":     " By role in the calls: %s (a person may have several roles).",
	"imy.records":   "Categories and approximate number of records",
	"imy.recordsv":  "%d call recordings: %d downloaded in full, %d in part, %d with the name seen only, %d undeterminable, %d with no access. %d distinct phone numbers exposed.",
	"imy.when":      "When the breach started and ended",
	"imy.whenv":     "The recordings were exposed from %s until %s [confirm: when the server was closed]. The first access seen in the logs was at %s, the last at %s. Discovered: [date and how]. The logs cover %s to %s; %s of the %s window (%s) is covered by no log. For that time no one can say whether the recordings were accessed: **no evidence is not evidence of no access**, and the persons concerned are counted as to be notified.",
	"imy.whenr":     "The region's recordings were exposed while the server was open (%s to %s). In the logs, the first access to one of them was at %s, the last at %s.",
	"imy.who":       "Who accessed the data",
	"imy.whov":      "%d distinct IP addresses not the controller's own fetched listings or recordings; by category: %s.",
	"imy.whor":      "%d distinct IP addresses not the controller's own reached the region's recordings.",
	"imy.press":     " %d of them belong to the press.",
	"imy.trusted":   " Actors in the categories %s are the controller's own systems; their access is kept as evidence but not counted as an exposure.",
	"imy.conseq":    "Likely consequences",
	"imy.conseqv":   "Health information in the calls may be heard and spread, which may cause distress, stigma or discrimination; identity numbers together with phone numbers enable identity fraud and targeted scams (callers pretending to be the care provider); children's data calls for particular protection. The risk to the persons is assessed as high: [controller's assessment].",
	"imy.measures":  "Measures taken or proposed",
	"imy.m1":        "Access to the server closed on [date, time]; directory listing off; authentication required [confirm].",
	"imy.m2":        "Removal requests to search engines and to recipients [who, when].",
	"imy.m3":        "The %d persons to notify (%d of them children, through their guardians) informed under Art. 34 on [date]; the lists and letters are in `%s`.",
	"imy.m4":        "Police report [yes/no, reference]; other authorities informed [e.g. IVO].",
	"imy.m5":        "[Further measures to prevent recurrence.]",

	"actors.p":      "One row per actor (an IP address), those who reached the most persons first; the controller's own systems (trusted) last. The addresses belong to those who fetched the files, not to the patients. GeoIP is an estimate; an address is not a person.",
	"actors.more":   "and %d more actors (all in actors.parquet).",
	"trusted":       "trusted",
	"time.p":        "Each bar counts recordings reached by one actor, once, at the first access, by the level it reached (the controller's own systems left out; a listing counts for every recording it showed). %d in all: full %d, partial %d, metadata %d.",
	"time.none":     "No access to a recording is in the logs.",
	"cov.p":         "A log source (a file and its rotated copies) covers the time it logged something in, with silences shorter than the gap threshold, **%s**: %s. A longer silence is a gap. Recordings online during a time no log covers are undeterminable, never none.",
	"cov.uncov":     "Parts of the exposure window no log covers",
	"cov.nouncov":   "None: some log covers the whole exposure window.",
	"cov.sources":   "Sources",
	"method.in":     "Every input was read whole; the SHA-256 digests identify the bytes analysed. Names are relative to the folder the inputs had in common; the index: %s (SHA-256 %s, %d recordings).",
	"method.rules":  "Rules",
	"method.r1":     "**Levels.** full: every audio byte was delivered to one actor; partial: some audio bytes; metadata: the file name was seen (directory listing, HEAD, 304, 416); undeterminable: online while no log covers; none: the logs cover the whole time and show no access.",
	"method.r2":     "**Byte ranges.** The ranges an actor received are merged per recording and compared with the size in the index.",
	"method.r3":     "**Directory listings.** A listing shows the names of the files that existed at that moment, and so the callers' phone numbers.",
	"method.r4":     "**Persons.** A person's level is the highest of their recordings; a child is under 18 at the time of the call.",
	"method.limits": "Limits and uncertainties",
	"method.l1":     "%d of %d recordings and %d of %d exposure rows rest on an estimate (flags below).",
	"method.l2":     "%d recordings were online during a time no log covers; %d persons are to be notified only for that reason.",
	"method.l3":     "%d exposure rows rest on a directory listing alone.",
	"method.l4":     "%d of %d log lines could not be parsed; a request on such a line is not counted.",
	"method.l5":     "An actor is an IP address: several people may share one, and one person may use several. %d actors have no GeoIP location.",
	"method.l6":     "A download counted as full shows the server sent the bytes, not that anyone listened.",
	"lists.p":       "For the case workers: one list per region, as CSV (UTF-8 with BOM, `%s`-separated, opens in Excel) and as XLSX, one row per person to notify, sorted by level (full first), then identity number; and one letter per person (Art. 34) in the folder named. These files hold identity and phone numbers: they are readable by their owner only (mode 0600).",
	"lists.empty":   "No person to notify.",
	"footer":        "%s. Made from the output folder alone: the same outputs give the same report. Times in %s.",

	"chart.levels":     "Persons and recordings by level",
	"chart.persons":    "Persons",
	"chart.recordings": "Recordings",
	"chart.adults":     "adults",
	"chart.children":   "children",
	"chart.time":       "Recordings reached per %s, by level",
	"chart.week":       "week",
	"chart.day":        "day",
	"chart.count":      "recordings",
	"chart.cov":        "Log coverage and the exposure window",
	"chart.covered":    "logged",
	"chart.gap":        "gap (no log)",
	"chart.window":     "exposure window",
	"chart.anylog":     "any log",
	"chart.cats":       "Actors by category",
	"chart.countries":  "Actors by country (GeoIP)",
	"chart.asns":       "Actors by network (ASN)",
	"chart.actors":     "actors",
}

var msgSV = map[string]string{
	"yes": "ja", "no": "nej",
	"sheet":           "Underrätta",
	"fill.controller": "personuppgiftsansvarig",
	"fill.contact":    "kontaktpunkt: dataskyddsombud, telefon, e-post",
	"columns":         "Nr|Personnummer|Personnummer som angivet|Typ av nummer|Barn vid samtalet|Nivå|Bedömningen vilar på en logglucka|Samtal exponerade/alla|Samtal: start, samtals-id, nivå|Kontaktnummer (roll, samtal)|Aktörskategorier|Första exponering|Andra regioner|Brev",

	"level.full": "hela", "level.partial": "delvis", "level.metadata": "metadata", "level.undeterminable": "kan inte avgöras", "level.none": "ingen",
	"levelx.full":           "hela inspelningen laddades ned",
	"levelx.partial":        "en del av inspelningen laddades ned",
	"levelx.metadata":       "filnamnet syntes (telefonnummer, datum, region), inget ljud",
	"levelx.undeterminable": "åtkomlig när inga loggar fördes: åtkomst kan varken visas eller uteslutas",
	"levelx.none":           "loggarna täcker hela tiden och visar ingen åtkomst",
	"what.full":             "hela inspelningen av samtalet laddades ned av någon som inte hade rätt till den",
	"what.partial":          "en del av inspelningen av samtalet laddades ned av någon som inte hade rätt till den",
	"what.metadata":         "inget ljud laddades ned, men inspelningens filnamn syntes; det visar att inspelningen finns, telefonnumret som samtalet kom från och samtalets datum",
	"what.undeterminable":   "inspelningen var åtkomlig under en tid då inga loggar fördes, så vi kan inte utesluta att någon laddade ned den",
	"what.none":             "loggarna visar ingen åtkomst",
	"role.caller":           "uppringare", "role.patient": "patient",
	"kind.personnummer": "personnummer", "kind.samordningsnummer": "samordningsnummer", "kind.reserve": "reservnummer", "kind.invalid": "ogiltigt nummer",
	"cat.authorized": "behörig", "cat.internal": "intern", "cat.press": "press", "cat.crawler": "sökrobot", "cat.unknown": "okänd",

	"title":                   "Röjande av inspelade samtal: rapport om personuppgiftsincident",
	"title.demo":              "Demoincident: röjande av inspelade samtal",
	"sub":                     "Rapport om personuppgiftsincident. Den innehåller bara antal, inga person- eller telefonnummer; de som ska underrättas finns i underrättelselistorna (en per region) och breven. Gjord av %s från %d loggfiler och ett index med %d inspelningar. Tider i %s.",
	"contents":                "Innehåll",
	"s.summary":               "Sammanfattning",
	"problems":                "Siffrorna går inte att lita på som de är: analysen slutade med felstatus 2, av dessa skäl (även i manifest.json).",
	"s.regions":               "Per personuppgiftsansvarig (region)",
	"s.imy":                   "Utkast till anmälan till IMY (art. 33)",
	"s.imyregion":             "Utkast till anmälan till IMY: %s",
	"s.actors":                "Vem hämtade vad",
	"s.time":                  "Åtkomst över tid",
	"s.coverage":              "Loggarnas täckning",
	"s.method":                "Underlag och metod",
	"s.lists":                 "Underrättelselistor och brev",
	"card.notify":             "personer att underrätta, av %d i indexet",
	"card.kids":               "barn bland dem",
	"card.phones":             "telefonnummer röjda (filnamn sedda eller hämtade)",
	"card.actors":             "aktörer (IP-adresser) utanför den ansvariges egna, av %d",
	"card.press":              ", varav %d press",
	"th.level":                "Nivå",
	"th.persons":              "Personer",
	"th.children":             "varav barn",
	"th.recs":                 "Inspelningar",
	"th.meaning":              "Innebörd",
	"th.total":                "Totalt",
	"th.region":               "Region (personuppgiftsansvarig)",
	"th.notify":               "Personer att underrätta",
	"th.phones":               "Telefonnummer röjda",
	"th.actors":               "Aktörer",
	"th.exposed":              "Inspelningar röjda",
	"th.undet":                "Inspelningar, kan inte avgöras",
	"th.ongap":                "Bedömningen vilar på en lucka",
	"th.list":                 "Lista",
	"th.rows":                 "Rader",
	"th.category":             "Kategori",
	"th.reached":              "Personer nådda",
	"th.country":              "Land",
	"th.network":              "Nät (ASN)",
	"th.ip":                   "IP-adress",
	"th.label":                "Etikett",
	"th.where":                "Var (GeoIP), nät",
	"th.client":               "Klient",
	"th.seen":                 "Först och sist sedd",
	"th.requests":             "Anrop",
	"th.listings":             "Listningar",
	"th.full":                 "Hela",
	"th.partial":              "Delvis",
	"th.meta":                 "Metadata",
	"th.source":               "Loggkälla",
	"th.from":                 "Från",
	"th.to":                   "Till",
	"th.spans":                "Perioder",
	"th.gaps":                 "Luckor",
	"th.gaptime":              "Tid i luckor",
	"th.duration":             "Längd",
	"th.input":                "Fil",
	"th.format":               "Format",
	"th.lines":                "Rader",
	"th.rejected":             "Avvisade",
	"th.flag":                 "Flagga",
	"th.rows2":                "Exponeringsrader",
	"flag.wire_bytes":         "bara byte på linjen loggades; ljudbyten uppskattades genom att svarshuvudena drogs ifrån",
	"flag.range_unknown":      "ett delsvar (206) vars byteintervall inte loggades: antalet byte är känt, inte var i filen",
	"flag.aborted":            "servern loggade anslutningen som avbruten: klienten kan ha fått mindre än det som skickades",
	"flag.bytes_not_logged":   "loggformatet saknar antal byte: ett lyckat svar räknas som att hela filen levererades",
	"flag.size_unknown":       "indexet saknar filstorlek, så en hel leverans kan inte kontrolleras",
	"flag.multipart":          "en begäran om flera intervall: det loggade antalet innehåller delarnas huvuden",
	"flag.listing_unknown":    "namnet låg i en mapp som bara en filtrerad eller sidindelad listning visade (Apache ?P=, Caddy ?limit=), och loggen säger inte om just den sidan visade det",
	"flag.completion_unknown": "leveransen når filens slut men loggen saknar fält för fullbordan (%X, $request_completion): vissa servrar (Apache %b) loggar hela längden även när klienten gick; eller så kom begäran över HTTP/2 eller HTTP/3, där en ström som klienten avbröt loggas som fullbordad",

	"th.week":      "Vecka från",
	"th.day":       "Dag",
	"w.from":       "Röjd från",
	"w.to":         "Röjd till",
	"w.first":      "Första åtkomst i loggarna",
	"w.last":       "Sista åtkomst i loggarna",
	"w.logs":       "Loggarna täcker",
	"w.uncov":      "Inte täckt av någon logg",
	"w.uncovv":     "%s (%s av perioden)",
	"unknown":      "okänt",
	"noregion":     "(ingen region)",
	"whole":        "Alla regioner",
	"key.gap":      "**%d av de %d personerna att underrätta** finns med enbart för att deras inspelningar var åtkomliga när inga loggar fördes (%s fördelat på %d perioder). Loggarna kan inte visa att de hämtades, och inte heller att de inte hämtades: **avsaknad av spår är inte bevis för att ingen åtkomst skett.**",
	"key.gapalso":  " Ytterligare %d personer röjdes enligt loggarna och var också åtkomliga under en lucka.",
	"levels.note":  "En persons nivå är den högsta nivån bland de inspelningar personen finns i. Underrätta alla nivåer utom ingen.",
	"regions.p":    "Varje region är personuppgiftsansvarig för sig och anmäler själv till IMY och underrättar sina patienter. En person med samtal i flera regioner räknas i var och en. Siffrorna per region kommer från samma utdata som helheten.",
	"regions.none": "Personer och inspelningar utan region i indexet står under \"%s\".",

	"imy.note":      "Ett utkast som den personuppgiftsansvarige granskar och fyller i: text inom [hakparentes] är er att fylla i. Anmäl till IMY inom 72 timmar från att incidenten blev känd; det som ännu inte är känt kan lämnas som komplettering (art. 33.4). Siffrorna kommer från loggarna och indexet så som de analyserats och ändras om fler loggar hittas.",
	"imy.ctrl":      "Personuppgiftsansvarig och kontaktpunkt",
	"imy.ctrlv":     "%s. Kontakt: %s.",
	"imy.nature":    "Incidentens art",
	"imy.naturev":   "Brist i konfidentialitet: obehörigt röjande av och obehörig åtkomst till personuppgifter. En server med inspelade telefonsamtal var nåbar från internet med kataloglistning påslagen och utan inloggning: den som hittade adressen kunde lista mapparna och ladda ned inspelningarna. Loggarna visar %d lyckade kataloglistningar och %d anrop av inspelningar.",
	"imy.data":      "Berörda personuppgifter: uppgifter om hälsa (samtalens innehåll, känsliga personuppgifter, art. 9); personnummer för vuxna och barn; uppringarnas telefonnummer, som ingår i filnamnen och därför syns i varje kataloglistning; datum, tid och region för varje samtal.",
	"imy.subjects":  "Kategorier av och ungefärligt antal registrerade",
	"imy.subjectsv": "**%d personer** (av %d i indexet), varav **%d barn**. Av dem fick %d en inspelning nedladdad i sin helhet, %d delvis, för %d syntes bara filnamnet (telefonnummer, datum, region), och %d hade inspelningar som var åtkomliga när inga loggar fördes, så att åtkomst varken kan visas eller uteslutas.",
	"imy.roles":     " Efter roll i samtalen: %s (en person kan ha flera roller).",
	"imy.records":   "Kategorier av och ungefärligt antal personuppgiftsposter",
	"imy.recordsv":  "%d samtalsinspelningar: %d nedladdade i sin helhet, %d delvis, %d där bara namnet syntes, %d där det inte kan avgöras, %d utan åtkomst. %d olika telefonnummer röjda.",
	"imy.when":      "När incidenten inträffade och upphörde",
	"imy.whenv":     "Inspelningarna var åtkomliga från %s till %s [bekräfta: när servern stängdes]. Den första åtkomsten i loggarna skedde %s, den sista %s. Upptäckt: [datum och hur]. Loggarna täcker %s till %s; %s av perioden på %s (%s) täcks inte av någon logg. För den tiden kan ingen säga om inspelningarna hämtades: **avsaknad av spår är inte bevis för att ingen åtkomst skett**, och de berörda räknas som att de ska underrättas.",
	"imy.whenr":     "Regionens inspelningar var åtkomliga medan servern var öppen (%s till %s). I loggarna skedde den första åtkomsten till någon av dem %s, den sista %s.",
	"imy.who":       "Vem som fick tillgång till uppgifterna",
	"imy.whov":      "%d olika IP-adresser utanför den ansvariges egna hämtade listningar eller inspelningar; efter kategori: %s.",
	"imy.whor":      "%d olika IP-adresser utanför den ansvariges egna nådde regionens inspelningar.",
	"imy.press":     " %d av dem tillhör press.",
	"imy.trusted":   " Aktörer i kategorierna %s är den ansvariges egna system; deras åtkomst finns kvar som underlag men räknas inte som röjande.",
	"imy.conseq":    "Sannolika konsekvenser",
	"imy.conseqv":   "Hälsouppgifter i samtalen kan bli hörda och spridas, vilket kan leda till oro, stigmatisering eller diskriminering; personnummer tillsammans med telefonnummer gör identitetsstöld och riktade bedrägerier möjliga (någon som utger sig för att vara vården); barns uppgifter kräver särskilt skydd. Risken för de registrerade bedöms som hög: [den ansvariges bedömning].",
	"imy.measures":  "Vidtagna och planerade åtgärder",
	"imy.m1":        "Åtkomsten till servern stängd [datum, tid]; kataloglistning avstängd; inloggning krävs [bekräfta].",
	"imy.m2":        "Begäran om borttagning till sökmotorer och mottagare [vilka, när].",
	"imy.m3":        "De %d personerna att underrätta (varav %d barn, via vårdnadshavare) informerade enligt art. 34 [datum]; listor och brev finns i `%s`.",
	"imy.m4":        "Polisanmälan [ja/nej, diarienummer]; andra myndigheter informerade [t.ex. IVO].",
	"imy.m5":        "[Ytterligare åtgärder för att det inte ska hända igen.]",

	"actors.p":      "En rad per aktör (en IP-adress), de som nådde flest personer först; den ansvariges egna system (betrodda) sist. Adresserna tillhör dem som hämtade filerna, inte patienterna. GeoIP är en uppskattning; en adress är inte en person.",
	"actors.more":   "och %d aktörer till (alla i actors.parquet).",
	"trusted":       "betrodd",
	"time.p":        "Varje stapel räknar inspelningar som en aktör nådde, en gång, vid den första åtkomsten, efter den nivå som nåddes (den ansvariges egna system utelämnade; en listning räknas för varje inspelning den visade). Totalt %d: hela %d, delvis %d, metadata %d.",
	"time.none":     "Loggarna visar ingen åtkomst till någon inspelning.",
	"cov.p":         "En loggkälla (en fil och dess roterade kopior) täcker den tid den loggade något, med tystnader kortare än lucktröskeln, **%s**: %s. En längre tystnad är en lucka. Inspelningar som var åtkomliga när ingen logg täcker kan inte avgöras; de räknas aldrig som ingen åtkomst.",
	"cov.uncov":     "Delar av perioden som ingen logg täcker",
	"cov.nouncov":   "Inga: någon logg täcker hela perioden.",
	"cov.sources":   "Källor",
	"method.in":     "Varje fil lästes i sin helhet; SHA-256-summorna identifierar de analyserade byten. Namnen är relativa till den mapp filerna hade gemensam; indexet: %s (SHA-256 %s, %d inspelningar).",
	"method.rules":  "Regler",
	"method.r1":     "**Nivåer.** hela: varje ljudbyte levererades till en aktör; delvis: några ljudbyte; metadata: filnamnet syntes (kataloglistning, HEAD, 304, 416); kan inte avgöras: åtkomlig när ingen logg täcker; ingen: loggarna täcker hela tiden och visar ingen åtkomst.",
	"method.r2":     "**Byteintervall.** De intervall en aktör fick slås samman per inspelning och jämförs med storleken i indexet.",
	"method.r3":     "**Kataloglistningar.** En listning visar namnen på de filer som fanns i det ögonblicket, och därmed uppringarnas telefonnummer.",
	"method.r4":     "**Personer.** En persons nivå är den högsta bland personens inspelningar; barn är under 18 år vid samtalet.",
	"method.limits": "Begränsningar och osäkerheter",
	"method.l1":     "%d av %d inspelningar och %d av %d exponeringsrader vilar på en uppskattning (flaggor nedan).",
	"method.l2":     "%d inspelningar var åtkomliga under tid som ingen logg täcker; %d personer ska underrättas enbart av det skälet.",
	"method.l3":     "%d exponeringsrader vilar enbart på en kataloglistning.",
	"method.l4":     "%d av %d loggrader kunde inte tolkas; ett anrop på en sådan rad räknas inte.",
	"method.l5":     "En aktör är en IP-adress: flera personer kan dela en, och en person kan använda flera. %d aktörer saknar GeoIP-position.",
	"method.l6":     "En nedladdning som räknas som hel visar att servern skickade byten, inte att någon lyssnade.",
	"lists.p":       "För handläggarna: en lista per region, som CSV (UTF-8 med BOM, `%s`-separerad, öppnas i Excel) och som XLSX, en rad per person att underrätta, sorterad efter nivå (hela först) och sedan personnummer; och ett brev per person (art. 34) i den angivna mappen. Filerna innehåller person- och telefonnummer: bara ägaren kan läsa dem (läge 0600).",
	"lists.empty":   "Ingen person att underrätta.",
	"footer":        "%s. Gjord enbart från utdatamappen: samma utdata ger samma rapport. Tider i %s.",

	"chart.levels":     "Personer och inspelningar efter nivå",
	"chart.persons":    "Personer",
	"chart.recordings": "Inspelningar",
	"chart.adults":     "vuxna",
	"chart.children":   "barn",
	"chart.time":       "Inspelningar nådda per %s, efter nivå",
	"chart.week":       "vecka",
	"chart.day":        "dag",
	"chart.count":      "inspelningar",
	"chart.cov":        "Loggarnas täckning och perioden inspelningarna var åtkomliga",
	"chart.covered":    "loggat",
	"chart.gap":        "lucka (ingen logg)",
	"chart.window":     "åtkomlig period",
	"chart.anylog":     "någon logg",
	"chart.cats":       "Aktörer efter kategori",
	"chart.countries":  "Aktörer efter land (GeoIP)",
	"chart.asns":       "Aktörer efter nät (ASN)",
	"chart.actors":     "aktörer",
}
