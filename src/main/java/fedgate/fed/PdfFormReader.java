package fedgate.fed;

import java.util.HashMap;
import java.util.Map;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm;
import org.apache.pdfbox.pdmodel.interactive.form.PDCheckBox;
import org.apache.pdfbox.pdmodel.interactive.form.PDField;
import org.apache.pdfbox.pdmodel.interactive.form.PDRadioButton;
import org.apache.pdfbox.pdmodel.interactive.form.PDTerminalField;

/**
 * Maps the AcroForm fields of a filled PDF FED onto a draft. A field is recognised by its fully qualified
 * name, then its partial name, then its tooltip (alternate name), each folded: lower case, accents and
 * every non-alphanumeric removed — "Organisme demandeur", "organismeDemandeur" and "organisme_demandeur"
 * are one name.
 *
 * <table>
 * <caption>Accepted AcroForm field names (folded forms, "." and spaces removed)</caption>
 * <tr><th>Field</th><th>Names</th></tr>
 * <tr><td>requestingOrganisation</td><td>organismedemandeur, organisme, requestingorganisation</td></tr>
 * <tr><td>referent "Nom, Prénom"</td><td>nomprenom, nometprenom, prenomnom, referentnomprenom, referent, referentname</td></tr>
 * <tr><td>referent.lastName</td><td>nom, referentnom, lastname, referentlastname</td></tr>
 * <tr><td>referent.firstName</td><td>prenom, referentprenom, firstname, referentfirstname</td></tr>
 * <tr><td>referent.service</td><td>service, referentservice</td></tr>
 * <tr><td>referent.phone</td><td>tel, telephone, phone, referenttel, referenttelephone, referentphone</td></tr>
 * <tr><td>referent.email</td><td>email, mail, courriel, mel, adresseelectronique, referentemail, referentmail, referentcourriel, referentmel</td></tr>
 * <tr><td>requestingService.title</td><td>intitule, intituleduservice, servicedemandeur, servicedemandeurintitule, requestingservicetitle</td></tr>
 * <tr><td>requestingService.manager</td><td>responsable, responsableduservice, servicedemandeurresponsable, requestingservicemanager</td></tr>
 * <tr><td>study</td><td>etudeenvisagee, etude, objetdeletude, study</td></tr>
 * <tr><td>indicatorsRequested</td><td>indicateurssollicites, indicateurs, indicatorsrequested, indicators (one per line, or ";" ",")</td></tr>
 * <tr><td>desiredDeadline</td><td>delaissouhaites, delaisouhaite, delais, delai, desireddeadline</td></tr>
 * <tr><td>date</td><td>date, datedelademande (dd/MM/yyyy, ISO or "12 mars 2026")</td></tr>
 * <tr><td>territories</td><td>territoires, territoire, territoiress, territories</td></tr>
 * <tr><td>referenceYear</td><td>anneedereference, annee, referenceyear, millesime</td></tr>
 * <tr><td>diffusion</td><td>diffusion (text, choice or radio: interne/externe); check boxes interne, externe,
 *     diffusioninterne, diffusionexterne</td></tr>
 * </table>
 */
final class PdfFormReader {

    private enum Target {
        ORG, NAME, LAST, FIRST, SERVICE, PHONE, EMAIL, TITLE, MANAGER, STUDY, INDICATORS, DEADLINE, DATE,
        TERRITORIES, YEAR, DIFFUSION, INTERNE, EXTERNE
    }

    private static final Map<String, Target> NAMES = new HashMap<>();

    static {
        put(Target.ORG, "organismedemandeur", "organisme", "requestingorganisation");
        put(Target.NAME, "nomprenom", "nometprenom", "prenomnom", "referentnomprenom", "referent", "referentname");
        put(Target.LAST, "nom", "referentnom", "lastname", "referentlastname");
        put(Target.FIRST, "prenom", "referentprenom", "firstname", "referentfirstname");
        put(Target.SERVICE, "service", "referentservice");
        put(Target.PHONE, "tel", "telephone", "phone", "referenttel", "referenttelephone", "referentphone");
        put(Target.EMAIL, "email", "mail", "courriel", "mel", "adresseelectronique", "referentemail", "referentmail",
                "referentcourriel", "referentmel");
        put(Target.TITLE, "intitule", "intituleduservice", "servicedemandeur", "servicedemandeurintitule",
                "requestingservicetitle");
        put(Target.MANAGER, "responsable", "responsableduservice", "servicedemandeurresponsable",
                "requestingservicemanager");
        put(Target.STUDY, "etudeenvisagee", "etude", "objetdeletude", "study");
        put(Target.INDICATORS, "indicateurssollicites", "indicateurs", "indicatorsrequested", "indicators");
        put(Target.DEADLINE, "delaissouhaites", "delaisouhaite", "delais", "delai", "desireddeadline");
        put(Target.DATE, "date", "datedelademande");
        put(Target.TERRITORIES, "territoires", "territoire", "territoiress", "territories");
        put(Target.YEAR, "anneedereference", "annee", "referenceyear", "millesime");
        put(Target.DIFFUSION, "diffusion");
        put(Target.INTERNE, "interne", "diffusioninterne");
        put(Target.EXTERNE, "externe", "diffusionexterne");
    }

    private static void put(Target t, String... names) {
        for (String n : names) {
            NAMES.put(n, t);
        }
    }

    private PdfFormReader() {
    }

    static String key(String name) {
        return name == null ? "" : FedDraft.fold(name).replaceAll("[^a-z0-9]", "");
    }

    /** The draft from the form's fields, or null when the PDF has no form or none of its fields is a FED field. */
    static FedDraft read(PDDocument doc, int maxFields) {
        PDAcroForm form = doc.getDocumentCatalog().getAcroForm(null);
        if (form == null) {
            return null;
        }
        FedDraft d = new FedDraft();
        int count = 0;
        for (PDField field : form.getFieldTree()) {
            if (++count > maxFields) {
                break;
            }
            if (!(field instanceof PDTerminalField)) {
                continue;
            }
            Target t = target(field);
            if (t == null) {
                continue;
            }
            apply(d, t, field);
        }
        return d.filledFields() == 0 ? null : d;
    }

    private static Target target(PDField field) {
        for (String n : new String[] {field.getFullyQualifiedName(), field.getPartialName(), field.getAlternateFieldName()}) {
            Target t = NAMES.get(key(n));
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static void apply(FedDraft d, Target t, PDField field) {
        if (field instanceof PDCheckBox box) {
            if (box.isChecked()) {
                if (t == Target.INTERNE) {
                    d.diffusion = Feuillet1.Diffusion.INTERNE;
                } else if (t == Target.EXTERNE) {
                    d.diffusion = Feuillet1.Diffusion.EXTERNE;
                }
            }
            return;
        }
        String v = field instanceof PDRadioButton radio ? radio.getValue() : field.getValueAsString();
        if (v == null || v.isBlank() || (field instanceof PDRadioButton && "Off".equals(v))) {
            return;
        }
        switch (t) {
            case ORG -> d.requestingOrganisation = v;
            case NAME -> d.fullName(v);
            case LAST -> d.lastName = v;
            case FIRST -> d.firstName = v;
            case SERVICE -> d.referentService = v;
            case PHONE -> d.phone = v;
            case EMAIL -> d.email = v;
            case TITLE -> d.serviceTitle = v;
            case MANAGER -> d.serviceManager = v;
            case STUDY -> d.study = v;
            case INDICATORS -> d.indicatorsRequested.addAll(FedDraft.splitList(v));
            case DEADLINE -> d.desiredDeadline = v;
            case DATE -> d.date = FedDraft.parseDate(v);
            case TERRITORIES -> d.territories.addAll(FedDraft.splitList(v));
            case YEAR -> d.referenceYear = FedDraft.parseYear(v);
            case DIFFUSION, INTERNE, EXTERNE -> d.diffusion = FedDraft.parseDiffusion(
                    t == Target.DIFFUSION ? v : t.name());
        }
    }
}
