package fedgate.fed;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a FED "feuillet numéro 1" (Annexe 2, Art. 5.2) laid out as text with its French labels, as found in
 * an email body, a plain text file or the text of a PDF/DOCX/ODT document.
 *
 * <h2>Labels</h2>
 * Matched at the start of a line (after an optional bullet or "1."), ignoring case and accents:
 * <table>
 * <caption>Accepted labels</caption>
 * <tr><th>Field</th><th>Labels</th></tr>
 * <tr><td>requestingOrganisation</td><td>Organisme demandeur, Organisme</td></tr>
 * <tr><td>(section)</td><td>Le Référent, Référent — a value on the same line is the referent's name</td></tr>
 * <tr><td>referent last/first name</td><td>Nom, Prénom · Nom et prénom · Nom / Prénom · Prénom Nom;
 *     or separate Nom : / Prénom :</td></tr>
 * <tr><td>referent.service</td><td>Service (in the Référent section, or before any section)</td></tr>
 * <tr><td>referent.phone</td><td>Tél, Tel., Téléphone, Portable, Mobile</td></tr>
 * <tr><td>referent.email</td><td>E-mail, Email, E mail, Courriel, Mél, Mail, Adresse électronique</td></tr>
 * <tr><td>(section)</td><td>Le Service demandeur, Service demandeur — a value on the same line is the title</td></tr>
 * <tr><td>requestingService.title</td><td>Intitulé, Intitulé du service, Service (in that section)</td></tr>
 * <tr><td>requestingService.manager</td><td>Responsable, Responsable du service</td></tr>
 * <tr><td>study</td><td>Étude envisagée, Objet de l'étude, Objectif(s) de l'étude, Étude</td></tr>
 * <tr><td>indicatorsRequested</td><td>Indicateurs sollicités, Indicateurs demandés, Données sollicitées, Indicateurs</td></tr>
 * <tr><td>desiredDeadline</td><td>Délais souhaités, Délai souhaité, Délai(s), Échéance souhaitée</td></tr>
 * <tr><td>date</td><td>Date, Date de la demande</td></tr>
 * <tr><td>territories</td><td>Territoire(s), Territoires, Périmètre géographique</td></tr>
 * <tr><td>referenceYear</td><td>Année de référence, Année, Millésime</td></tr>
 * <tr><td>diffusion</td><td>Diffusion (interne / externe)</td></tr>
 * <tr><td>(ignored)</td><td>Signature du Référent, Signature; the form's titles</td></tr>
 * </table>
 *
 * <h2>Layout tolerance</h2>
 * The separator after a label may be ":", "/" (as in the annex: "Étude envisagée /"), "-" or nothing. With
 * no separator, a short ambiguous label (Date, Tél, E-mail, Service…) is only taken when the value looks
 * right (a date, a number, an address) — "Service de la petite enfance" in a wrapped study stays text.
 * A value may be on the label's line or on the following lines, wrapped lines are joined until the next
 * label. Single-line fields end at a blank line; the study and list fields run to the next label.
 * Lists (indicators, territories) take bullets, numbering, ";" and "," (outside parentheses).
 * Quoted-reply prefixes ("&gt; ") are removed, a signature delimiter ("-- ") ends the form and a closing
 * formula ("Cordialement", "Bien à vous"…) ends the current value.
 * When a field appears twice, the first value is kept.
 */
public final class LabelTextParser {

    enum Field {
        ORG, REFERENT_SECTION, SERVICE_SECTION, NAME, LAST_NAME, FIRST_NAME, SERVICE, PHONE, EMAIL, TITLE,
        MANAGER, STUDY, INDICATORS, DEADLINE, DATE, TERRITORIES, YEAR, DIFFUSION, SIGNATURE, IGNORED
    }

    private enum Section { NONE, REFERENT, SERVICE }

    /** A label, its folded (lower-case, accent-free) pattern and when a bare-space separator is trusted. */
    private record Label(Field field, Pattern pattern, Predicate<String> bareValueOk) {
    }

    private static final Predicate<String> ALWAYS = v -> true;
    private static final Predicate<String> NEVER = v -> false;

    private static final String PREFIX = "^\\s*(?:(?:[-–•*·]|\\d{1,2}[.)])\\s+)?";
    private static final String SEP = "(?:\\s*[:/\\-–—])+\\s*";

    // Order matters: longer, more specific labels first ("service demandeur" before "service").
    private static final List<Label> LABELS = List.of(
            label(Field.IGNORED, "formulaire d'echange de donnees|feuillet (?:numero|n°|no|n)\\s*\\d+", NEVER),
            label(Field.ORG, "organisme demandeur", ALWAYS),
            label(Field.ORG, "organisme", NEVER),
            label(Field.SERVICE_SECTION, "(?:le )?service demandeur", ALWAYS),
            label(Field.SIGNATURE, "signature(?: du referent)?", NEVER),
            label(Field.REFERENT_SECTION, "(?:le |la )?referent(?:e)?", NEVER),
            label(Field.NAME, "nom\\s*[,/&-]?\\s*(?:et )?prenoms?|prenoms?\\s*[,/&-]?\\s*(?:et )?nom", ALWAYS),
            label(Field.LAST_NAME, "nom(?: de famille)?", NEVER),
            label(Field.FIRST_NAME, "prenoms?", NEVER),
            label(Field.PHONE, "(?:tel|telephone|portable|mobile)\\.?(?: (?:fixe|portable|mobile))?",
                    v -> v.matches("^[+(]?\\d.*")),
            label(Field.EMAIL, "(?:adresse )?(?:e-mail|e mail|email|courriel|mel|mail|adresse electronique)",
                    v -> v.contains("@")),
            label(Field.SERVICE, "service", NEVER),
            label(Field.TITLE, "intitule(?: du service)?", NEVER),
            label(Field.MANAGER, "responsable(?: du service)?", NEVER),
            label(Field.STUDY, "etude envisagee|objet de l'etude|objectifs? de l'etude", ALWAYS),
            label(Field.STUDY, "etude", NEVER),
            label(Field.INDICATORS, "indicateurs? sollicites?|indicateurs? demandes?|donnees sollicitees", ALWAYS),
            label(Field.INDICATORS, "indicateurs?", NEVER),
            label(Field.DEADLINE, "delais? souhaites?|echeance souhaitee", ALWAYS),
            label(Field.DEADLINE, "delais?(?:\\(s\\))?", NEVER),
            label(Field.DATE, "date(?: de la demande)?", v -> FedDraft.parseDate(v) != null),
            label(Field.TERRITORIES, "territoires?(?:\\(s\\))?|perimetre geographique", NEVER),
            label(Field.YEAR, "annee de reference|annee|millesime", v -> FedDraft.parseYear(v) != null),
            label(Field.DIFFUSION, "diffusion", v -> FedDraft.parseDiffusion(v) != null));

    private static Label label(Field field, String folded, Predicate<String> bareValueOk) {
        return new Label(field, Pattern.compile(PREFIX + "(?:" + folded.replace(" ", "\\s+") + ")(?=$|" + SEP + "|\\s)"),
                bareValueOk);
    }

    private static final Pattern SEPARATOR = Pattern.compile("^" + SEP);
    private static final Pattern QUOTE_PREFIX = Pattern.compile("^(?:\\s*>)+ ?");
    private static final Pattern CLOSING = Pattern.compile(
            "^(?:bien )?cordialement|^bien a (?:vous|toi)|^(?:sinceres |meilleures )?salutations|^veuillez agreer"
                    + "|^je vous prie|^en vous remerciant|^merci (?:d'avance|par avance|de votre)|^best regards|^regards");

    private static final EnumMap<Field, Boolean> MULTI_PARAGRAPH = new EnumMap<>(Map.of(
            Field.STUDY, true, Field.INDICATORS, true, Field.TERRITORIES, true));

    /** A label found on a line, with what follows it on that line. */
    record Hit(Field field, String value) {
    }

    /**
     * Parses the text into a draft Feuillet 1.
     *
     * @throws FedReadException NO_FED_FOUND when fewer than two FED fields are found: a mail that merely
     *                          mentions a "Date :" is not a request
     */
    public Feuillet1 parse(String text) throws FedReadException {
        FedDraft draft = collect(text);
        if (draft.filledFields() < 2) {
            throw new FedReadException(FedReadException.Code.NO_FED_FOUND,
                    "Aucun formulaire FED (feuillet n° 1) n'a été reconnu : les rubriques « Organisme demandeur », "
                            + "« Le Référent », « Étude envisagée », « Indicateurs sollicités »… sont introuvables.",
                    "no FED label found in text (" + (text == null ? 0 : text.length()) + " chars)");
        }
        return draft.toFeuillet1();
    }

    FedDraft collect(String text) {
        FedDraft draft = new FedDraft();
        if (text == null) {
            return draft;
        }
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFC)
                .replace('\u00A0', ' ').replace('\u202F', ' ').replace('\u2007', ' ').replace('\t', ' ')
                .replace("\uFEFF", "").replace("\u200B", "");
        Map<Field, List<String>> values = new EnumMap<>(Field.class);
        Section section = Section.NONE;
        Field current = null;
        List<String> currentLines = null;
        boolean blankSeen = false;
        for (String rawLine : normalised.split("\\R", -1)) {
            String line = QUOTE_PREFIX.matcher(rawLine).replaceFirst("");
            if (line.equals("-- ") || line.equals("--")) {
                break; // RFC 3676 signature delimiter: what follows is the sender's signature
            }
            String folded = FedDraft.fold(line.strip());
            if (CLOSING.matcher(folded).find()) {
                current = null;
                continue;
            }
            Hit hit = match(line);
            if (hit != null) {
                Field f = hit.field();
                String inline = hit.value();
                if (f == Field.REFERENT_SECTION) {
                    section = Section.REFERENT;
                    f = inline.isEmpty() ? null : Field.NAME;
                } else if (f == Field.SERVICE_SECTION) {
                    section = Section.SERVICE;
                    f = inline.isEmpty() ? null : Field.TITLE;
                } else if (f == Field.SERVICE) {
                    f = section == Section.SERVICE ? Field.TITLE : Field.SERVICE;
                } else if (f == Field.NAME || f == Field.LAST_NAME || f == Field.FIRST_NAME
                        || f == Field.PHONE || f == Field.EMAIL) {
                    section = Section.REFERENT;
                } else if (f == Field.TITLE || f == Field.MANAGER) {
                    section = Section.SERVICE;
                }
                if (f == null || f == Field.IGNORED) {
                    current = null;
                    continue;
                }
                // first occurrence wins: a quoted older form further down must not overwrite the request
                if (values.containsKey(f)) {
                    current = null;
                    continue;
                }
                current = f;
                currentLines = new ArrayList<>();
                values.put(f, currentLines);
                blankSeen = false;
                if (!inline.isEmpty()) {
                    currentLines.add(inline);
                }
                continue;
            }
            if (current == null) {
                continue;
            }
            if (line.isBlank()) {
                blankSeen = true;
                if (!currentLines.isEmpty() && !MULTI_PARAGRAPH.containsKey(current)) {
                    current = null;
                }
                continue;
            }
            if (blankSeen && !currentLines.isEmpty() && current == Field.STUDY) {
                currentLines.add("");
            }
            blankSeen = false;
            currentLines.add(line);
        }
        fill(draft, values);
        return draft;
    }

    /** The label at the start of the line, if any, with the rest of the line as its inline value. */
    static Hit match(String line) {
        String folded = FedDraft.fold(line);
        for (Label l : LABELS) {
            Matcher m = l.pattern().matcher(folded);
            if (!m.lookingAt()) {
                continue;
            }
            String rest = line.substring(m.end());
            Matcher sep = SEPARATOR.matcher(rest);
            String value;
            if (sep.lookingAt()) {
                value = rest.substring(sep.end()).strip();
            } else {
                value = rest.strip();
                if (!value.isEmpty() && !l.bareValueOk().test(value)) {
                    continue;
                }
            }
            return new Hit(l.field(), value);
        }
        return null;
    }

    private static void fill(FedDraft d, Map<Field, List<String>> values) {
        for (Map.Entry<Field, List<String>> e : values.entrySet()) {
            List<String> lines = e.getValue();
            String joined = FedDraft.joinWrapped(lines);
            switch (e.getKey()) {
                case ORG -> d.requestingOrganisation = joined;
                case NAME -> {
                    String[] parts = FedDraft.splitName(joined);
                    if (parts != null) {
                        if (d.lastName == null) {
                            d.lastName = parts[0];
                        }
                        if (d.firstName == null) {
                            d.firstName = parts[1];
                        }
                    }
                }
                case LAST_NAME -> d.lastName = joined;
                case FIRST_NAME -> d.firstName = joined;
                case SERVICE -> d.referentService = joined;
                case PHONE -> d.phone = joined;
                case EMAIL -> d.email = joined;
                case TITLE -> d.serviceTitle = joined;
                case MANAGER -> d.serviceManager = joined;
                case STUDY -> d.study = joined;
                case INDICATORS -> d.indicatorsRequested.addAll(FedDraft.splitList(lines));
                case TERRITORIES -> d.territories.addAll(FedDraft.splitList(lines));
                case DEADLINE -> d.desiredDeadline = joined;
                case DATE -> d.date = FedDraft.parseDate(joined);
                case YEAR -> d.referenceYear = FedDraft.parseYear(joined);
                case DIFFUSION -> d.diffusion = FedDraft.parseDiffusion(joined);
                default -> {
                    // SIGNATURE: the signature is established by the channel or OpenPGP, not by a typed name
                }
            }
        }
    }
}
