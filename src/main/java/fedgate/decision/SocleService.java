package fedgate.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.extract.Geography;
import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.Level;
import fedgate.extract.Territory;
import fedgate.fed.Feuillet1;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.RequestRepository;
import fedgate.state.RequestStatus;
import fedgate.state.SocleRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.MonthDay;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The yearly "socle de données de cadrage" (Art. 1.2.1, Annexe 1): for every partner whose convention is in force, an
 * internal request (channel {@code SCHEDULE}, actor {@code schedule:socle}) for every socle indicator, "à l'échelle
 * de la Commune … et de l'Agglomération" — the partner's commune and EPCI from the registry, plus the IRIS of the
 * commune (Art. 2's 100-allocataire rule then applies) — assessed and APPROVED by this policy, then answered and
 * extracted and delivered by the ordinary stages (feuillet 2 tells the referent it is coming). One request per partner
 * and year, whoever runs it and however often; a partner whose convention is not in force gets nothing.
 */
public final class SocleService {

    private static final Logger LOG = LoggerFactory.getLogger(SocleService.class);
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    public static final String ACTOR = "schedule:socle";
    public static final String CHANNEL = "SCHEDULE";

    public enum Outcome {
        /** made now, approved, to be answered and extracted */
        CREATED,
        /** made earlier but stopped before its decision (a crash): moved on now */
        RESUMED,
        /** made earlier and decided: nothing to do */
        ALREADY_DONE,
        /** the convention is not in force (Art. 6, 8): nothing */
        NOT_IN_FORCE,
        /** the socle could not be assessed or approved (the reason is in the request's history) */
        FAILED
    }

    /**
     * One partner's part of a run.
     *
     * @param queueDecided the decision is to be sent (feuillet 2, then extract) through {@code fed.decided}
     * @param events       status events for {@code fed.events.<partner>}
     */
    public record PartnerRun(String partnerId, String requestId, Outcome outcome, boolean queueDecided,
                             List<StatusEvent> events, String note) {
    }

    public record Run(int year, List<PartnerRun> partners) {
    }

    private final SocleRepository runs;
    private final RequestRepository requests;
    private final PipelineService pipeline;
    private final PartnerRegistry partners;
    private final Geography geography;
    private final IndicatorCatalogue catalogue;
    private final ObjectMapper json;
    private final Clock clock;
    private final MonthDay date;

    /** @param date the day of the year from which the socle of that year is due (the timer's check) */
    public SocleService(SocleRepository runs, RequestRepository requests, PipelineService pipeline,
                        PartnerRegistry partners, Geography geography, IndicatorCatalogue catalogue, ObjectMapper json,
                        Clock clock, MonthDay date) {
        this.runs = runs;
        this.requests = requests;
        this.pipeline = pipeline;
        this.partners = partners;
        this.geography = geography;
        this.catalogue = catalogue;
        this.json = json;
        this.clock = clock;
        this.date = date;
    }

    public MonthDay date() {
        return date;
    }

    /**
     * Whether the timer should run now: from {@link #date()} of this year, while a partner in force has no socle of
     * this year. A gateway that was down on that day runs it at its next check.
     */
    public boolean isDue() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), PARIS);
        if (today.isBefore(date.atYear(today.getYear()))) {
            return false;
        }
        return partners.all().stream().anyMatch(p -> p.convention().inForce(today)
                && runs.requestFor(p.id(), today.getYear()).isEmpty());
    }

    /** The socle of the current year (Paris). */
    public Run run() {
        return run(LocalDate.ofInstant(clock.instant(), PARIS).getYear());
    }

    /** The socle of {@code year} for every partner in force today; idempotent per partner and year. */
    public Run run(int year) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), PARIS);
        List<PartnerRun> out = new ArrayList<>();
        for (Partner p : partners.all()) {
            if (!p.convention().inForce(today)) {
                LOG.info("socle {}: nothing for {}, its convention is not in force ({})", year, p.id(),
                        p.convention().effectiveEnd().map(d -> "ended " + d).orElse("not signed yet"));
                out.add(new PartnerRun(p.id(), null, Outcome.NOT_IN_FORCE, false, List.of(),
                        p.convention().explainNotInForce(today, p.name()).orElse(null)));
                continue;
            }
            try {
                out.add(forPartner(p, year, today));
            } catch (RuntimeException | SQLException e) {
                LOG.error("socle {} for {} failed", year, p.id(), e);
                out.add(new PartnerRun(p.id(), runs.requestFor(p.id(), year).orElse(null), Outcome.FAILED, false,
                        List.of(), e.getMessage()));
            }
        }
        return new Run(year, out);
    }

    private PartnerRun forPartner(Partner p, int year, LocalDate today) throws SQLException {
        Optional<String> existing = runs.requestFor(p.id(), year);
        String id;
        Outcome outcome;
        if (existing.isEmpty()) {
            Instant now = clock.instant();
            byte[] raw = identity(p, year);
            Feuillet1 f1 = feuillet1(p, year, today);
            Optional<String> created = runs.create(p.id(), year, new RequestRepository.NewRequest(CHANNEL,
                    "socle:" + p.id() + ":" + year, ACTOR, null, now, sha256(raw), raw), write(f1), ACTOR,
                    "yearly socle " + year + " (Art. 1.2.1, Annexe 1)", now);
            if (created.isEmpty()) {
                id = runs.requestFor(p.id(), year).orElseThrow(() -> new IllegalStateException(
                        "the socle request of " + p.id() + " for " + year + " collides with another request"));
                outcome = Outcome.RESUMED;
            } else {
                id = created.get();
                outcome = Outcome.CREATED;
                LOG.info("socle {} for {}: request {} created", year, p.id(), id);
            }
        } else {
            id = existing.get();
            outcome = Outcome.RESUMED;
        }
        RequestStatus status = requests.find(id).orElseThrow().status();
        List<StatusEvent> events = new ArrayList<>();
        if (status == RequestStatus.VALIDATED) {
            PipelineService.Assessment a = pipeline.assess(id);
            events.addAll(a.events());
            if (a.decided()) { // the auto-approve policy took it already
                return new PartnerRun(p.id(), id, outcome, true, events, null);
            }
            status = requests.find(id).orElseThrow().status();
        }
        if (status == RequestStatus.ASSESSED) {
            Decision d = new Decision(true, motif(year), List.of(), "livraison annuelle (Annexe 1)", false);
            PipelineService.Outcome o = pipeline.decide(id, d, ACTOR);
            if (o.result() != PipelineService.Result.DONE) {
                return new PartnerRun(p.id(), id, Outcome.FAILED, false, events, o.message());
            }
            LOG.info("socle {} for {}: {} approved by {}", year, p.id(), id, ACTOR);
            return new PartnerRun(p.id(), id, outcome, true, events, null);
        }
        if (existing.isPresent() || outcome == Outcome.RESUMED) {
            return new PartnerRun(p.id(), id, status == RequestStatus.FAILED ? Outcome.FAILED : Outcome.ALREADY_DONE,
                    false, events, status.name());
        }
        return new PartnerRun(p.id(), id, Outcome.FAILED, false, events, status.name());
    }

    static String motif(int year) {
        return "Socle de données de cadrage " + year + " (article 1.2.1 et annexe 1 de la convention) : livraison "
                + "annuelle à l'échelle de la commune, de ses IRIS et de l'agglomération, dans le respect du secret "
                + "statistique (article 2).";
    }

    /** Feuillet 1 of the socle, as the Bureau d'Études would fill it for the partner. */
    Feuillet1 feuillet1(Partner p, int year, LocalDate today) {
        Set<String> territories = new LinkedHashSet<>();
        for (Partner.Territory t : p.territories()) {
            territories.add(t.code());
            if (t.kind() == Partner.TerritoryKind.COMMUNE) {
                // Annexe 1 and Art. 1.2.1: the commune's IRIS too (published only where Art. 2 allows)
                geography.find(Level.COMMUNE, t.code()).ifPresent(c ->
                        geography.descendantsAt(c, Level.IRIS).stream().map(Territory::code).forEach(territories::add));
            }
        }
        List<String> codes = catalogue.socle().stream().map(IndicatorCatalogue.Indicator::code).toList();
        Partner.Referent r = p.referent();
        return new Feuillet1(p.id(), p.name(), new Feuillet1.Referent(r.name(), null, r.service(), r.phone(), r.email()),
                new Feuillet1.RequestingService("Socle de données de cadrage (Annexe 1)", null),
                "Socle de données de cadrage " + year + " (article 1.2.1, annexe 1 de la convention)",
                List.of("socle"), codes, List.copyOf(territories), null, Feuillet1.Diffusion.INTERNE, null, today,
                ACTOR);
    }

    /** The stored "raw input" of a socle request: who and which year — the same bytes for the same run. */
    private static byte[] identity(Partner p, int year) {
        return ("{\"type\":\"fedgate.socle\",\"partnerId\":\"" + p.id() + "\",\"year\":" + year + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
