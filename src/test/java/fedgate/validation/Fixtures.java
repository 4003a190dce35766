package fedgate.validation;

import fedgate.extract.IndicatorCatalogue;
import fedgate.fed.Feuillet1;
import fedgate.partner.Channel;
import fedgate.partner.Convention;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** A realistic request from the sample partner, and a registry to check it against. */
final class Fixtures {

    static final LocalDate TODAY = LocalDate.of(2026, 3, 10);
    static final String REFERENT = "referent@ville-rouen.example";
    static final String ROUEN_FPR = "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406";
    static final IndicatorCatalogue CATALOGUE = IndicatorCatalogue.load();
    static final Partner ROUEN = PartnerRegistry.readClasspath("ville-rouen");

    /** A second partner: SFTP only, signed requests required, convention terminated on 2025-11-15. */
    static final Partner LE_HAVRE = new Partner("ville-le-havre", "Ville du Havre",
            new Convention(LocalDate.of(2024, 6, 1), 1, true, LocalDate.of(2025, 11, 15)),
            new Partner.Referent("Alex Durand", "observatoire@lehavre.example", null, null),
            ROUEN.sftpPublicKey(), "FC9E95962F83426053AE8D594A44F6A0F6937519", Set.of(Channel.SFTP), true,
            List.of(new Partner.Territory("76351", Partner.TerritoryKind.COMMUNE, "Le Havre"),
                    new Partner.Territory("200084952", Partner.TerritoryKind.EPCI, "Le Havre Seine Métropole")));

    static final PartnerRegistry REGISTRY = PartnerRegistry.of(ROUEN, LE_HAVRE);

    private Fixtures() {
    }

    static RequestValidator validator() {
        return new RequestValidator(REGISTRY, CATALOGUE);
    }

    static Feuillet1 draft() {
        return new Feuillet1(null, "Ville de Rouen",
                new Feuillet1.Referent("Martin", "Camille", "Direction de l'Action Sociale / Observatoire",
                        "02 61 91 00 00", REFERENT),
                new Feuillet1.RequestingService("Observatoire social", "Claude Bernard"),
                "Analyse des besoins sociaux 2026 : précarité des familles par quartier",
                List.of("Nombre d'allocataires", "Taux de couverture"),
                List.of(), List.of(), null, null, "fin avril", null, null);
    }

    static Feuillet1 with(Feuillet1 d, String study, List<String> indicators, List<String> territories,
                          Feuillet1.Diffusion diffusion) {
        return new Feuillet1(d.partnerId(), d.requestingOrganisation(), d.referent(), d.requestingService(), study,
                indicators, d.indicators(), territories, d.referenceYear(), diffusion, d.desiredDeadline(), d.date(),
                d.signature());
    }

    static Submission fromReferent() {
        return Submission.mail(REFERENT, true);
    }
}
