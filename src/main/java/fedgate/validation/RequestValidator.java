package fedgate.validation;

import fedgate.extract.IndicatorCatalogue;
import fedgate.fed.Feuillet1;
import fedgate.partner.Channel;
import fedgate.partner.Convention;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.validation.Reason.Code;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Decides whether a feuillet 1 can be processed, and turns it into its canonical form. Every rule runs and
 * every problem is reported, so the referent can fix everything in one go.
 */
public final class RequestValidator {

    private static final String BUREAU = "le Bureau d'Études de " + Convention.CAF_NAME;
    private static final String AU_BUREAU = "au Bureau d'Études de " + Convention.CAF_NAME;

    /** Art. 1.1: data of the "contrat temps libre" and "contrat enfance" schemes are outside the convention. */
    private static final Pattern OUT_OF_SCOPE = Pattern.compile(
            "\\b(contrats? (?:de |du )?temps libre|contrats? (?:d |de l )?enfance(?: (?:et )?jeunesse)?|ctl|cej)\\b");
    /** "CEJ" also stands for the "contrat d'engagement jeune" (France Travail), which Art. 1.1 does not exclude. */
    private static final Pattern ENGAGEMENT_JEUNE = Pattern.compile("\\bcontrats? d engagement (?:pour les )?jeunes?\\b");

    private final PartnerRegistry partners;
    private final IndicatorMatcher indicators;
    private final TerritoryDirectory territories;

    public RequestValidator(PartnerRegistry partners, IndicatorCatalogue catalogue, TerritoryDirectory territories) {
        this.partners = Objects.requireNonNull(partners, "partners");
        this.indicators = new IndicatorMatcher(Objects.requireNonNull(catalogue, "catalogue"));
        this.territories = Objects.requireNonNull(territories, "territories");
    }

    public RequestValidator(PartnerRegistry partners, IndicatorCatalogue catalogue) {
        this(partners, catalogue, new DefaultTerritoryDirectory());
    }

    /**
     * @param draft feuillet 1 as parsed from the document ({@code partnerId} and {@code indicators} ignored)
     * @param ctx   what the channel established about the sender
     * @param today the day the request was received
     */
    public ValidationResult validate(Feuillet1 draft, Submission ctx, LocalDate today) {
        Objects.requireNonNull(draft, "draft");
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(today, "today");
        List<Reason> reasons = new ArrayList<>();

        Partner partner = identify(ctx, reasons);
        if (!ctx.authenticated()) {
            reasons.add(new Reason(Code.UNAUTHENTICATED, "La demande reçue par " + channelName(ctx.channel())
                    + " n'a pas pu être authentifiée : l'identité de l'expéditeur n'est pas vérifiée. Par sécurité, "
                    + "elle ne peut pas être traitée ; merci de la renvoyer depuis la messagerie de votre organisme "
                    + "ou par votre dépôt SFTP.", null));
        }
        if (partner != null) {
            checkPartner(partner, ctx, draft, today, reasons);
        }
        checkRequiredFields(draft, reasons);
        checkScope(draft, reasons);
        IndicatorMatcher.Result matched = checkIndicators(draft, reasons);
        List<String> territoryCodes = checkTerritories(draft, partner, reasons);
        Feuillet1.Diffusion diffusion = draft.diffusion() == null ? Feuillet1.Diffusion.INTERNE : draft.diffusion();
        if (diffusion == Feuillet1.Diffusion.EXTERNE) {
            // Art. 4: accepted, but the Bureau must approve before any external diffusion.
            reasons.add(new Reason(Code.EXTERNAL_DIFFUSION_NEEDS_APPROVAL, "Vous prévoyez une diffusion externe "
                    + "de l'étude : toute diffusion externe nécessite l'accord préalable du Bureau d'Études de "
                    + Convention.CAF_NAME + " (Art. 4). La demande peut être instruite, mais l'étude ne pourra être "
                    + "diffusée à l'extérieur qu'après cet accord, avec la mention de la source des données.",
                    "diffusion"));
        }

        // The partner comes from the channel, never from the document; and only once the channel is proven.
        Partner identified = ctx.authenticated() ? partner : null;
        Feuillet1 canonical = new Feuillet1(
                identified == null ? null : identified.id(),
                trimToNull(draft.requestingOrganisation()),
                draft.referent(),
                draft.requestingService(),
                trimToNull(draft.study()),
                draft.indicatorsRequested(),
                matched.codes(),
                territoryCodes,
                draft.referenceYear(), // null = latest available, chosen by the extract stage
                diffusion,
                trimToNull(draft.desiredDeadline()),
                draft.date() == null ? today : draft.date(),
                identified == null ? draft.signature() : signature(ctx, identified));
        return new ValidationResult(reasons, canonical, partner);
    }

    // ---- Art. 5.1: who is sending -------------------------------------------------------------------------

    private Partner identify(Submission ctx, List<Reason> reasons) {
        String principal = ctx.principal() == null ? "" : ctx.principal().strip();
        if (principal.isEmpty()) {
            reasons.add(new Reason(Code.UNKNOWN_SENDER, "L'expéditeur de la demande n'a pas pu être identifié. "
                    + "Merci de renvoyer la demande depuis l'adresse ou le compte du référent désigné (Art. 5.1).",
                    null));
            return null;
        }
        String shown = Text.quote(principal);
        switch (ctx.channel()) {
            case MAIL -> {
                Optional<Partner> p = partners.findByReferentEmail(principal);
                if (p.isPresent()) {
                    return p.get();
                }
                Optional<Partner> sameDomain = sameDomain(principal);
                if (sameDomain.isPresent()) {
                    // Art. 5.1: a colleague at the partner, but only the designated referent may send requests.
                    reasons.add(new Reason(Code.NOT_REFERENT, "L'adresse expéditrice " + shown
                            + " n'est pas celle du référent désigné par " + sameDomain.get().name()
                            + " (Art. 5.1). Seul le référent désigné peut adresser une demande au Bureau d'Études : "
                            + "merci de lui transmettre votre demande afin qu'il l'envoie depuis son adresse.", null));
                } else {
                    reasons.add(new Reason(Code.UNKNOWN_SENDER, "L'adresse expéditrice " + shown
                            + " n'est celle d'aucun référent désigné auprès de " + Convention.CAF_NAME
                            + " (Art. 5.1). Seul le référent désigné par votre organisme peut adresser une demande : "
                            + "merci de la lui transmettre, ou de faire connaître votre référent " + AU_BUREAU + ".",
                            null));
                }
                return null;
            }
            case SFTP, BROKER -> {
                Optional<Partner> p = partners.find(principal);
                if (p.isPresent()) {
                    return p.get();
                }
                String what = ctx.channel() == Channel.SFTP ? "Le compte SFTP " : "L'utilisateur de messagerie ";
                reasons.add(new Reason(Code.UNKNOWN_SENDER, what + shown + " n'est rattaché à aucun partenaire de "
                        + Convention.CAF_NAME + ". Merci de contacter " + BUREAU + ".", null));
                return null;
            }
            default -> throw new IllegalStateException("unhandled channel " + ctx.channel());
        }
    }

    private Optional<Partner> sameDomain(String address) {
        String normalised = Partner.normaliseEmail(address);
        if (normalised == null) {
            return Optional.empty();
        }
        String domain = normalised.substring(normalised.indexOf('@') + 1);
        return partners.all().stream()
                .filter(p -> p.referent().email().substring(p.referent().email().indexOf('@') + 1).equals(domain))
                .findFirst();
    }

    private void checkPartner(Partner partner, Submission ctx, Feuillet1 draft, LocalDate today, List<Reason> reasons) {
        if (!partner.allowedChannels().contains(ctx.channel())) {
            List<String> open = partner.allowedChannels().stream().map(RequestValidator::channelName).toList();
            reasons.add(new Reason(Code.CHANNEL_NOT_ALLOWED, "Les demandes de " + partner.name()
                    + " ne sont pas acceptées par " + channelName(ctx.channel()) + ". Merci d'utiliser "
                    + (open.size() == 1 ? "le canal ouvert : " : "l'un des canaux ouverts : ") + Text.frenchList(open)
                    + ".", null));
        }
        if (partner.requireSignedRequests()) {
            if (!ctx.signatureVerified()) {
                reasons.add(new Reason(Code.SIGNATURE_REQUIRED, partner.name() + " a demandé que chaque demande "
                        + "porte la signature OpenPGP de son référent ; cette demande n'en porte pas de valide. "
                        + "Merci de signer le feuillet 1 avec la clé " + partner.pgpFingerprint()
                        + " et de le renvoyer.", "signature"));
            } else if (!partner.isPgpKey(ctx.verifiedSignerFingerprint())) {
                reasons.add(new Reason(Code.SIGNATURE_REQUIRED, "La demande est signée avec la clé OpenPGP "
                        + ctx.verifiedSignerFingerprint() + ", qui n'est pas celle enregistrée pour le référent de "
                        + partner.name() + " (" + partner.pgpFingerprint() + "). Merci de la signer avec la clé "
                        + "enregistrée, ou de faire enregistrer votre nouvelle clé auprès du Bureau d'Études de "
                        + Convention.CAF_NAME + ".",
                        "signature"));
            }
        }
        // Art. 6, 8: the convention must apply on the day the request is received.
        partner.convention().explainNotInForce(today, partner.name()).ifPresent(text ->
                reasons.add(new Reason(Code.CONVENTION_NOT_IN_FORCE, text, null)));
        // Art. 5.1, 5.2: the form is the referent's; its e-mail must be the designated referent's.
        Feuillet1.Referent written = draft.referent();
        if (written != null && !Text.isBlank(written.email()) && !partner.isReferent(written.email())) {
            reasons.add(new Reason(Code.REFERENT_MISMATCH, "L'adresse du référent indiquée dans le formulaire ("
                    + Text.quote(written.email()) + ") n'est pas celle du référent désigné par " + partner.name()
                    + " (Art. 5.1). Merci de corriger le champ « E-mail » du référent ou, si votre référent a changé, "
                    + "d'en informer " + BUREAU + ".", "referent.email"));
        }
    }

    // ---- Art. 5.3: what a request must say -----------------------------------------------------------------

    private void checkRequiredFields(Feuillet1 d, List<Reason> reasons) {
        Feuillet1.Referent ref = d.referent();
        Feuillet1.RequestingService service = d.requestingService();
        if (Text.isBlank(d.requestingOrganisation())) {
            reasons.add(missing("requestingOrganisation", "« Organisme demandeur »",
                    "Art. 5.3 : origine du service demandeur", "Merci d'indiquer l'organisme qui fait la demande."));
        }
        if (ref == null || (Text.isBlank(ref.lastName()) && Text.isBlank(ref.firstName()))) {
            reasons.add(missing("referent.lastName", "« Nom, Prénom » du référent",
                    "Art. 5.1 : la demande est portée par le référent désigné", "Merci d'indiquer le nom du référent."));
        }
        if (ref == null || Text.isBlank(ref.email())) {
            reasons.add(missing("referent.email", "« E-mail » du référent", "Art. 5.1 : référent désigné",
                    "Merci d'indiquer l'adresse électronique du référent désigné."));
        }
        if (service == null || Text.isBlank(service.title())) {
            reasons.add(missing("requestingService.title", "« Intitulé » du service demandeur",
                    "Art. 5.3 : origine du service demandeur", "Merci d'indiquer le service qui conduit l'étude."));
        }
        if (Text.isBlank(d.study())) {
            reasons.add(missing("study", "« Étude envisagée »", "Art. 5.3 : objectifs poursuivis par l'étude",
                    "Merci de décrire l'étude et ses objectifs."));
        }
        if (d.indicatorsRequested().stream().allMatch(Text::isBlank)) {
            reasons.add(missing("indicatorsRequested", "« Indicateurs sollicités »",
                    "Art. 5.3 : nature des données statistiques recherchées", "Merci d'indiquer au moins un "
                            + "indicateur du catalogue, ou « socle » pour le socle de données de cadrage (Annexe 1)."));
        }
    }

    private static Reason missing(String field, String label, String why, String todo) {
        return new Reason(Code.MISSING_FIELD, "Le champ " + label + " est obligatoire (" + why + "). " + todo, field);
    }

    // ---- Art. 1.1: scope ------------------------------------------------------------------------------------

    private void checkScope(Feuillet1 d, List<Reason> reasons) {
        record Source(String field, String label, String text) {
        }
        Stream<Source> sources = Stream.concat(
                Stream.of(new Source("study", "« Étude envisagée »", d.study())),
                d.indicatorsRequested().stream().map(t -> new Source("indicatorsRequested", "« Indicateurs sollicités »", t)));
        Set<String> reported = new LinkedHashSet<>();
        sources.forEach(s -> {
            String folded = Text.fold(s.text());
            if (ENGAGEMENT_JEUNE.matcher(folded).find()) {
                // the text spells "CEJ" out as the contrat d'engagement jeune: not the contrat enfance jeunesse
                folded = ENGAGEMENT_JEUNE.matcher(folded).replaceAll(" ").replaceAll("\\bcej\\b", " ");
            }
            Matcher m = OUT_OF_SCOPE.matcher(folded);
            if (m.find() && reported.add(s.field())) {
                reasons.add(new Reason(Code.OUT_OF_SCOPE, "La demande mentionne " + Text.quote(m.group(1))
                        + " (champ " + s.label() + ") : les données relevant des dispositifs « contrat temps libre » "
                        + "et « contrat enfance » sont exclues de la présente convention (Art. 1.1). Merci de retirer "
                        + "cette partie de la demande, ou de vous adresser " + AU_BUREAU
                        + " par le circuit propre à ces dispositifs.", s.field()));
            }
        });
    }

    // ---- Art. 5.3: nature of the data, mapped to the catalogue ------------------------------------------

    private IndicatorMatcher.Result checkIndicators(Feuillet1 d, List<Reason> reasons) {
        IndicatorMatcher.Result result = indicators.matchAll(d.indicatorsRequested());
        for (IndicatorMatcher.Unknown u : result.unknown()) {
            String text;
            if (u.candidates().isEmpty()) {
                text = "Indicateur inconnu : " + Text.quote(u.requested()) + ". Indicateurs disponibles : "
                        + indicators.describeCatalogue() + " ; ou « socle » pour l'ensemble du socle de données de "
                        + "cadrage (Annexe 1). Merci d'indiquer l'intitulé ou le code d'un de ces indicateurs.";
            } else {
                text = "Indicateur ambigu : " + Text.quote(u.requested()) + " peut désigner "
                        + String.join(" ou ", u.candidates().stream().map(indicators::describe).toList())
                        + ". Merci de préciser l'intitulé ou le code de l'indicateur souhaité.";
            }
            reasons.add(new Reason(Code.UNKNOWN_INDICATOR, text, "indicatorsRequested"));
        }
        for (IndicatorMatcher.Match m : result.fuzzy()) {
            reasons.add(new Reason(Code.INDICATOR_INTERPRETED, Text.quote(m.requested())
                    + " a été compris comme l'indicateur " + indicators.describe(m.codes().get(0))
                    + ". Si ce n'est pas ce que vous souhaitiez, merci de nous le signaler.", "indicatorsRequested"));
        }
        return result;
    }

    // ---- Territories ----------------------------------------------------------------------------------------

    private List<String> checkTerritories(Feuillet1 d, Partner partner, List<Reason> reasons) {
        List<String> requested = d.territories().stream().filter(t -> !Text.isBlank(t)).toList();
        if (partner == null) {
            return requested; // nothing to check against; the request is rejected anyway (unknown sender)
        }
        if (requested.isEmpty()) {
            return partner.territoryCodes(); // Annexe 1: the commune and its agglomeration
        }
        Set<String> codes = new LinkedHashSet<>();
        for (String t : requested) {
            List<String> resolved = resolveTerritory(partner, t);
            if (resolved.isEmpty()) {
                reasons.add(new Reason(Code.UNKNOWN_TERRITORY, "Territoire inconnu : " + Text.quote(t)
                        + ". Territoires possibles : " + territories.describeKnown(partner)
                        + ". Merci d'indiquer le nom ou le code d'un de ces territoires.", "territories"));
            }
            codes.addAll(resolved);
        }
        return List.copyOf(codes);
    }

    /** The codes of one entry; "Rouen et Métropole" or "76540, 200023414" count when every part is known. */
    private List<String> resolveTerritory(Partner partner, String text) {
        Optional<String> whole = territories.resolve(partner, text);
        if (whole.isPresent()) {
            return List.of(whole.get());
        }
        List<String> parts = Pattern.compile("[,;/\\n\\r]+|\\s+(?:et|&)\\s+", Pattern.CASE_INSENSITIVE)
                .splitAsStream(text).filter(p -> !Text.isBlank(p)).toList();
        if (parts.size() < 2) {
            return List.of();
        }
        List<String> codes = new ArrayList<>();
        for (String p : parts) {
            Optional<String> c = territories.resolve(partner, p);
            if (c.isEmpty()) {
                return List.of();
            }
            codes.add(c.get());
        }
        return codes;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private static String signature(Submission ctx, Partner partner) {
        String who = ctx.channel() == Channel.MAIL ? Partner.normaliseEmail(ctx.principal()) : partner.id();
        String s = ctx.channel().name() + " " + who;
        if (ctx.signatureVerified() && partner.isPgpKey(ctx.verifiedSignerFingerprint())) {
            s += ", OpenPGP " + Partner.normaliseFingerprint(ctx.verifiedSignerFingerprint());
        }
        return s;
    }

    static String channelName(Channel c) {
        return switch (c) {
            case MAIL -> "courriel";
            case SFTP -> "dépôt SFTP";
            case BROKER -> "messagerie applicative (AMQP/JMS)";
        };
    }

    private static String trimToNull(String s) {
        return Text.isBlank(s) ? null : s.strip();
    }
}
