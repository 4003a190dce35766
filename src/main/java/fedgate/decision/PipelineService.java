package fedgate.decision;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import fedgate.extract.ExtractEngine;
import fedgate.extract.ExtractResult;
import fedgate.extract.ExtractSpec;
import fedgate.extract.Feasibility;
import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.Level;
import fedgate.fed.Feuillet1;
import fedgate.partner.Partner;
import fedgate.partner.PartnerRegistry;
import fedgate.state.PipelineRepository;
import fedgate.state.PipelineRepository.PipelineRecord;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.StoredRequest;
import fedgate.state.RequestStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The stages after intake, as plain Java (the Camel routes only carry messages between them):
 * <ol>
 * <li>{@link #assess}: VALIDATED → ASSESSED with the feasibility draft of feuillet 2 (and APPROVED at once when
 * the auto-approve policy applies);</li>
 * <li>{@link #decide}: the Bureau d'Études' decision, ASSESSED → APPROVED | DECLINED;</li>
 * <li>{@link #feuillet2}: the answer to send to the referent and on the partner's queue;</li>
 * <li>{@link #extract}: APPROVED → EXTRACTED (or FAILED when the disclosure audit refuses it).</li>
 * </ol>
 * Each stage moves a request only from the one status it handles, so a redelivered message does nothing twice.
 */
public final class PipelineService {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineService.class);
    private static final Pattern REQUEST_ID = Pattern.compile("FED-\\d{4}-\\d{6}");
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    public static final String ACTOR = "fedgate";
    /** Ledger event of a feuillet 2 leaving (mail + JSON); not a status change. */
    public static final String FEUILLET2_SENT = "feuillet2.sent";

    /**
     * @param snapshot    the allocataire snapshot extracts read
     * @param extractsDir root of {@code <request id>/v<version>} extract directories
     * @param provider    "Organisme fournisseur" (CAF de Rouen)
     * @param referent    the provider's referent on feuillet 2: the Bureau d'Études
     * @param autoApprove the {@link AutoApproval} policy is on
     */
    public record Settings(Path snapshot, Path extractsDir, String provider, Feuillet2.Referent referent,
                           boolean autoApprove) {
    }

    /** The feasibility draft as stored with the request (JSON) and shown to the Bureau d'Études. */
    public record Draft(String requestId, String territory, String territoryLabel, List<String> levels,
                        List<String> indicatorsRequested, List<String> publishableIndicators,
                        List<String> unknownIndicators, String indicateursDisponibles, String motif,
                        List<Feasibility.Line> lines, boolean autoApprovable) {
    }

    /**
     * {@code events} go in the stage's transaction; {@code again} are the events of transitions this stage made
     * before, sent again on a redelivered order (the broker transaction that carried them may have been lost to a
     * crash after the database commit) — the route sends those once, with a duplicate-detection id.
     */
    public record Assessment(String requestId, String partnerId, List<StatusEvent> events, List<StatusEvent> again,
                             boolean decided) {
        Assessment(String requestId, String partnerId, List<StatusEvent> events, boolean decided) {
            this(requestId, partnerId, events, List.of(), decided);
        }
    }

    public enum Result { DONE, NOT_FOUND, CONFLICT }

    public record Outcome(Result result, String message) {
        static Outcome done(String message) {
            return new Outcome(Result.DONE, message);
        }
    }

    /** What the feuillet-2 route sends; {@code alreadySent} on a redelivery. */
    public record Notice(Feuillet2 feuillet2, String partnerId, String referentEmail, StatusEvent event,
                         boolean alreadySent, boolean queueExtract) {
    }

    /**
     * As {@link Assessment}: {@code again} is the EXTRACTED event of an extract recorded before a redelivery, or the
     * FAILED event of an extract that failed.
     */
    public record Extraction(String requestId, String partnerId, List<StatusEvent> events, List<StatusEvent> again,
                             Optional<Delivery> delivery) {
        Extraction(String requestId, String partnerId, List<StatusEvent> events, Optional<Delivery> delivery) {
            this(requestId, partnerId, events, List.of(), delivery);
        }
    }

    /** The message for the delivery stage on {@code fed.deliver}. */
    public record Delivery(String requestId, String extractDir, int version) {
    }

    private final Settings settings;
    private final RequestRepository requests;
    private final PipelineRepository pipeline;
    private final PartnerRegistry partners;
    private final ExtractEngine engine;
    /** Told the timings of every extract run (operations metrics); does nothing unless set. */
    private volatile java.util.function.Consumer<fedgate.extract.ExtractResult.Timings> timingsObserver = t -> { };
    private final Feasibility feasibility;
    private final ObjectMapper json;
    private final Clock clock;

    public PipelineService(Settings settings, RequestRepository requests, PipelineRepository pipeline,
                           PartnerRegistry partners, ExtractEngine engine, ObjectMapper json, Clock clock) {
        this.settings = settings;
        this.requests = requests;
        this.pipeline = pipeline;
        this.partners = partners;
        this.engine = engine;
        this.feasibility = new Feasibility(engine);
        this.json = json;
        this.clock = clock;
    }

    public IndicatorCatalogue catalogue() {
        return engine.catalogue();
    }

    // ------------------------------------------------------------------ assess

    /** VALIDATED → ASSESSED; nothing when the request has moved on already (a redelivered message). */
    public Assessment assess(String requestId) throws SQLException {
        StoredRequest r = request(requestId);
        Partner partner = partner(r);
        if (r.status() != RequestStatus.VALIDATED) {
            Optional<PipelineRecord> p = pipeline.find(r.id());
            if ((r.status() == RequestStatus.APPROVED || r.status() == RequestStatus.DECLINED) && p.isPresent()
                    && p.get().decidedAt() != null && p.get().feuillet2SentAt() == null) {
                // a redelivered order after the broker went away between the database commit and the queue commit:
                // the decision is recorded but its fed.decided message was lost with the transaction; send it again
                // now rather than leave the request to the decisions-resume timer (feuillet 2 is sent once anyway)
                LOG.info("{} is {}: decided already, its feuillet 2 has not left: decision queued again", r.id(),
                        r.status());
                return new Assessment(r.id(), partner.id(), List.of(), madeHere(r, partner), true);
            }
            Optional<Draft> assessed = r.status() == RequestStatus.ASSESSED && settings.autoApprove()
                    ? draft(r.id()).filter(Draft::autoApprovable) : Optional.empty();
            if (assessed.isPresent()) {
                // a redelivered order after a crash between the assessment's commit and the policy's decision: the
                // decision was never recorded and no other stage would take it; the policy decides now
                LOG.info("{} is ASSESSED and the auto-approval policy had not decided it: deciding now", r.id());
                return new Assessment(r.id(), partner.id(), List.of(), madeHere(r, partner),
                        autoApprove(r.id(), assessed.get()));
            }
            List<StatusEvent> again = madeHere(r, partner);
            LOG.info("{} is {}: already assessed; its {} event(s) sent again, once", r.id(), r.status(),
                    again.stream().map(StatusEvent::status).toList());
            return new Assessment(r.id(), partner.id(), List.of(), again, false);
        }
        List<StatusEvent> events = new ArrayList<>();
        // the first VALIDATED entry, as madeHere takes it for a copy sent again: the same event both times
        Instant validatedAt = requests.history(r.id()).stream().filter(h -> h.status() == RequestStatus.VALIDATED)
                .map(RequestRepository.HistoryEntry::at).findFirst().orElse(r.receivedAt());
        events.add(StatusEvent.of(r.id(), partner.id(), RequestStatus.VALIDATED.name(), validatedAt, null));

        Feuillet1 f1 = feuillet1(r);
        ExtractScope scope;
        Feasibility.Draft draft;
        try {
            scope = ExtractScope.of(f1.territories(), partner.territoryCodes(), engine.geography());
            draft = feasibility.assess(settings.snapshot(), f1.indicators(), scope.territory(), scope.levels());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: feasibility cannot be assessed: {}", r.id(), e.getMessage());
            String reason = "La faisabilité de la demande n'a pas pu être évaluée : un territoire ou un indicateur "
                    + "demandé n'est pas disponible dans les données de la CAF. Le Bureau d'Études reviendra vers vous.";
            if (pipeline.failed(r.id(), RequestStatus.VALIDATED, reason, ACTOR)) {
                events.add(failedHere(r, partner, RequestStatus.VALIDATED).orElseThrow());
            }
            return new Assessment(r.id(), partner.id(), events, false);
        }
        Optional<String> notAuto = AutoApproval.refusal(f1, draft, engine.catalogue());
        Draft stored = new Draft(r.id(), draft.territory(), draft.territoryLabel(),
                scope.levels().stream().sorted().map(Level::code).toList(), f1.indicators(),
                publishable(draft), draft.unknownIndicators(), draft.indicateursDisponibles(), draft.motif(),
                draft.lines(), notAuto.isEmpty());
        String detail = "feasibility draft: territory " + draft.territory() + ", levels " + scope.levelCodes() + ", "
                + stored.publishableIndicators().size() + " of " + f1.indicators().size() + " indicator(s) publishable";
        if (!pipeline.assessed(r.id(), write(stored), ACTOR, detail)) {
            // assessed meanwhile by another instance: its events are its own; this one's are sent again, once
            return new Assessment(r.id(), partner.id(), List.of(), madeHere(r, partner), false);
        }
        LOG.info("{} assessed: {}", r.id(), detail);
        events.add(StatusEvent.of(r.id(), partner.id(), RequestStatus.ASSESSED.name(), clock.instant(), null));

        boolean decided = false;
        if (settings.autoApprove()) {
            if (notAuto.isEmpty()) {
                decided = autoApprove(r.id(), stored);
            } else {
                LOG.info("{} left for the Bureau d'Études: {}", r.id(), notAuto.get());
            }
        }
        return new Assessment(r.id(), partner.id(), events, decided);
    }

    /**
     * The VALIDATED and ASSESSED events of a request that has moved on, from its history (the first entry of each),
     * and the FAILED event of an assessment that failed: what the assessment sent in a broker transaction that may
     * not have committed.
     */
    private List<StatusEvent> madeHere(StoredRequest r, Partner partner) {
        List<StatusEvent> out = new ArrayList<>();
        List<RequestRepository.HistoryEntry> history = requests.history(r.id());
        for (RequestRepository.HistoryEntry h : history) {
            if ((h.status() == RequestStatus.VALIDATED || h.status() == RequestStatus.ASSESSED)
                    && out.stream().noneMatch(e -> e.status().equals(h.status().name()))) {
                out.add(StatusEvent.of(r.id(), partner.id(), h.status().name(), h.at(), null));
            }
        }
        failedHere(r, partner, RequestStatus.VALIDATED, history).ifPresent(out::add);
        return out;
    }

    /**
     * The FAILED event of the request's last failure when it failed from {@code from} (the stage that takes requests
     * in that status failed it), from the history: its time and reason are the stored ones, so the event sent in the
     * stage's transaction and a copy sent again on a redelivered order are the same event, with the same
     * duplicate-detection id.
     */
    private Optional<StatusEvent> failedHere(StoredRequest r, Partner partner, RequestStatus from) {
        return failedHere(r, partner, from, requests.history(r.id()));
    }

    private static Optional<StatusEvent> failedHere(StoredRequest r, Partner partner, RequestStatus from,
                                                    List<RequestRepository.HistoryEntry> history) {
        for (int i = history.size() - 1; i > 0; i--) {
            if (history.get(i).status() == RequestStatus.FAILED) {
                RequestRepository.HistoryEntry h = history.get(i);
                return history.get(i - 1).status() != from ? Optional.empty()
                        : Optional.of(StatusEvent.of(r.id(), partner.id(), RequestStatus.FAILED.name(), h.at(),
                        h.detail()));
            }
        }
        return Optional.empty();
    }

    /** The auto-approval policy's favourable decision on an auto-approvable draft; true when recorded. */
    private boolean autoApprove(String requestId, Draft draft) {
        Decision d = new Decision(true, AutoApproval.MOTIF, draft.publishableIndicators(), null, false);
        return decide(requestId, d, AutoApproval.ACTOR).result() == Result.DONE;
    }

        private static List<String> publishable(Feasibility.Draft d) {
        Map<String, Boolean> all = new LinkedHashMap<>();
        for (Feasibility.Line l : d.lines()) {
            all.merge(l.indicator(), l.publishable(), Boolean::logicalOr);
        }
        return all.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    // ------------------------------------------------------------------ decide

    /**
     * ASSESSED → APPROVED | DECLINED, recorded with {@code actor} (the authenticated user, or the policy).
     * A favorable decision naming no indicator delivers the ones the draft found publishable.
     *
     * @throws Decision.InvalidDecision when the decision cannot apply to this request
     */
    public Outcome decide(String requestId, Decision decision, String actor) {
        Optional<StoredRequest> found = find(requestId);
        if (found.isEmpty()) {
            return new Outcome(Result.NOT_FOUND, "no such request");
        }
        StoredRequest r = found.get();
        if (r.status() != RequestStatus.ASSESSED) {
            return new Outcome(Result.CONFLICT, r.id() + " is " + r.status() + ": only an ASSESSED request can be decided");
        }
        List<String> indicators = decision.indicators();
        if (decision.favorable() && indicators.isEmpty()) {
            indicators = draft(r.id()).map(Draft::publishableIndicators).orElse(List.of());
            if (indicators.isEmpty()) {
                throw new Decision.InvalidDecision("no indicator of " + r.id()
                        + " is publishable: name the indicators to deliver in 'indicators'");
            }
        }
        Feuillet1 f1 = feuillet1(r);
        boolean externe = f1.diffusion() == Feuillet1.Diffusion.EXTERNE;
        boolean externalApproved = externe && decision.externalDiffusionApproved();
        String detail;
        if (!decision.favorable()) {
            detail = "défavorable — " + decision.motif();
        } else {
            detail = "favorable — indicators " + String.join(",", indicators)
                    + (decision.deliveryDelay() == null ? "" : ", delay " + decision.deliveryDelay())
                    + (externe ? externalApproved ? "; external diffusion approved (Art. 4)"
                    : "; waiting for the approval of the external diffusion (Art. 4): not extracted yet" : "");
        }
        PipelineRepository.StoredDecision stored = new PipelineRepository.StoredDecision(decision.favorable(),
                decision.motif(), indicators, write(indicators), decision.deliveryDelay(), externalApproved);
        if (!pipeline.decided(r.id(), stored, actor, detail)) {
            return new Outcome(Result.CONFLICT, r.id() + " was decided meanwhile");
        }
        LOG.info("{} decided by {}: {}", r.id(), actor, decision.favorable() ? "favorable" : "défavorable");
        String status = decision.favorable() ? RequestStatus.APPROVED.name() : RequestStatus.DECLINED.name();
        return Outcome.done(externe && decision.favorable() && !externalApproved
                ? status + " — waiting for the approval of the external diffusion (Art. 4): "
                  + "POST /api/requests/" + r.id() + "/external-diffusion to approve it"
                : status);
    }

    /** Art. 4: approves the external diffusion of an APPROVED request waiting for it; feuillet 2 is sent again. */
    public Outcome approveExternalDiffusion(String requestId, String actor) {
        Optional<StoredRequest> found = find(requestId);
        if (found.isEmpty()) {
            return new Outcome(Result.NOT_FOUND, "no such request");
        }
        StoredRequest r = found.get();
        if (feuillet1(r).diffusion() != Feuillet1.Diffusion.EXTERNE) {
            return new Outcome(Result.CONFLICT, r.id() + " declares no external diffusion");
        }
        if (!pipeline.externalDiffusionApproved(r.id(), actor, "external diffusion approved (Art. 4)")) {
            return new Outcome(Result.CONFLICT, r.id() + " is " + r.status()
                    + ": only an APPROVED request waiting for this approval can receive it");
        }
        return Outcome.done("APPROVED — external diffusion approved");
    }

    // ------------------------------------------------------------------ feuillet 2

    /** The answer to send for a decided request; empty when it is not decided. */
    public Optional<Notice> feuillet2(String requestId) {
        StoredRequest r = request(requestId);
        Partner partner = partner(r);
        Optional<PipelineRecord> p = pipeline.find(r.id());
        if (p.isEmpty() || p.get().decidedAt() == null || p.get().favorable() == null) {
            LOG.warn("{} has no decision: no feuillet 2", r.id());
            return Optional.empty();
        }
        PipelineRecord rec = p.get();
        Feuillet1 f1 = feuillet1(r);
        boolean externe = f1.diffusion() == Feuillet1.Diffusion.EXTERNE;
        List<String> codes = readList(rec.decidedIndicatorsJson());
        List<Feuillet2.Indicator> indicators = codes.stream().map(c -> new Feuillet2.Indicator(c,
                engine.catalogue().find(c).map(IndicatorCatalogue.Indicator::label).orElse(c))).toList();
        String levels = draft(r.id()).map(d -> String.join(", ", d.levels().stream()
                .map(l -> Level.parse(l).frenchLabel()).toList()) + " — " + d.territoryLabel()).orElse(null);
        String signer = AutoApproval.ACTOR.equals(rec.decidedBy())
                ? "Bureau d'Études de " + settings.provider() + " (décision automatique : demande couverte par le socle)"
                : "Bureau d'Études de " + settings.provider() + " — décision de " + rec.decidedBy();
        LocalDate date = LocalDate.ofInstant(rec.externalApprovedAt() != null && externe ? rec.externalApprovedAt()
                : rec.decidedAt(), PARIS);
        Feuillet2 f = new Feuillet2(Feuillet2.TYPE, r.id(), partner.id(),
                f1.requestingOrganisation() == null ? partner.name() : f1.requestingOrganisation(),
                settings.provider(), settings.referent(), rec.favorable(), rec.motif(), indicators, levels,
                rec.deliveryDelay(), externe, rec.externalApprovedAt() != null, date, signer);
        RequestStatus status = rec.favorable() ? RequestStatus.APPROVED : RequestStatus.DECLINED;
        String reason = !rec.favorable() ? rec.motif()
                : externe && rec.externalApprovedAt() == null
                ? "En attente de l'accord préalable du Bureau d'Études à la diffusion externe de l'étude (Art. 4) : "
                  + "l'extraction sera produite après cet accord."
                : externe ? "Accord préalable à la diffusion externe donné (Art. 4) : extraction en cours." : null;
        Instant at = externe && rec.externalApprovedAt() != null ? rec.externalApprovedAt() : rec.decidedAt();
        StatusEvent event = StatusEvent.of(r.id(), partner.id(), status.name(), at, reason);
        // queued again on a redelivery (extract_queued_at may be stored while the queue commit was lost to a crash):
        // the extract stage takes only APPROVED requests, so a second order changes nothing
        boolean queue = f.proceedsToExtract() && r.status() == RequestStatus.APPROVED;
        return Optional.of(new Notice(f, partner.id(), partner.referent().email(), event,
                rec.feuillet2SentAt() != null, queue));
    }

    public void feuillet2Sent(Feuillet2 f) {
        pipeline.feuillet2Sent(f.requestId(), write(f));
        requests.addHistory(f.requestId(), f.favorable() ? RequestStatus.APPROVED : RequestStatus.DECLINED, ACTOR,
                "feuillet 2 (" + f.answer() + ") sent to the referent and on the partner's queue", FEUILLET2_SENT);
    }

    public void extractQueued(String requestId) {
        pipeline.extractQueued(requestId);
    }

    /** Crash recovery: decisions whose feuillet 2 was not sent a minute after. */
    public List<String> decisionsToNotify() {
        return pipeline.decidedNotNotified(clock.instant().minusSeconds(60));
    }

    // ------------------------------------------------------------------ extract

    /**
     * APPROVED → EXTRACTED into {@code <extractsDir>/<request id>/v<version>}, or FAILED with the French reason
     * when the disclosure audit refuses the extract (never delivered). A request already extracted, or not
     * approved, is left alone: nothing is extracted twice.
     */
    /** Observes the timings (aggregation, disclosure, audit, output, total; ms) of every extract run. */
    public void observeTimings(java.util.function.Consumer<fedgate.extract.ExtractResult.Timings> observer) {
        this.timingsObserver = observer;
    }

    public Extraction extract(String requestId) throws IOException, SQLException {
        StoredRequest r = request(requestId);
        Partner partner = partner(r);
        Optional<PipelineRecord> p = pipeline.find(r.id());
        if (r.status() == RequestStatus.EXTRACTED && p.isPresent() && p.get().extractDir() != null
                && p.get().extractVersion() != null) {
            // a redelivered order after a crash between the database commit and the queue commit: the deliver
            // order may have been lost, so it is sent again (the delivery stage is idempotent on request + version)
            LOG.info("{} already extracted (v{}): deliver order and EXTRACTED event sent again", r.id(),
                    p.get().extractVersion());
            List<StatusEvent> again = requests.history(r.id()).stream()
                    .filter(h -> h.status() == RequestStatus.EXTRACTED).reduce((a, b) -> b)
                    .map(h -> StatusEvent.of(r.id(), partner.id(), RequestStatus.EXTRACTED.name(), h.at(), null))
                    .stream().toList();
            return new Extraction(r.id(), partner.id(), List.of(), again, Optional.of(new Delivery(r.id(),
                    p.get().extractDir(), p.get().extractVersion())));
        }
        if (r.status() == RequestStatus.FAILED) {
            // a redelivered order of an extract that failed: its FAILED event may have been lost with the transaction
            List<StatusEvent> again = failedHere(r, partner, RequestStatus.APPROVED).stream().toList();
            LOG.info("{} is FAILED: not extracted again{}", r.id(), again.isEmpty() ? "" : "; its FAILED event is sent "
                    + "again, once");
            return new Extraction(r.id(), partner.id(), List.of(), again, Optional.empty());
        }
        if (r.status() != RequestStatus.APPROVED || p.isEmpty()) {
            LOG.info("{} is {}: not extracted again", r.id(), r.status());
            return new Extraction(r.id(), partner.id(), List.of(), Optional.empty());
        }
        PipelineRecord rec = p.get();
        Feuillet1 f1 = feuillet1(r);
        if (!Boolean.TRUE.equals(rec.favorable())
                || (f1.diffusion() == Feuillet1.Diffusion.EXTERNE && rec.externalApprovedAt() == null)) {
            LOG.warn("{} is not cleared for extraction (external diffusion not approved)", r.id());
            return new Extraction(r.id(), partner.id(), List.of(), Optional.empty());
        }
        Path requestDir = settings.extractsDir().resolve(r.id()).normalize();
        if (!requestDir.startsWith(settings.extractsDir().normalize())) {
            throw new IllegalStateException("extract directory outside the extracts root");
        }
        Files.createDirectories(requestDir);
        int version = 1;
        while (Files.exists(requestDir.resolve("v" + version))) {
            version++; // an earlier attempt (refused, or crashed before its status was stored) keeps its directory
        }
        Path out = requestDir.resolve("v" + version);
        List<String> codes = readList(rec.decidedIndicatorsJson());
        ExtractResult result;
        ExtractScope scope;
        try {
            scope = ExtractScope.of(f1.territories(), partner.territoryCodes(), engine.geography());
            result = engine.run(new ExtractSpec(settings.snapshot(), codes, scope.territory(), scope.levels(),
                    Optional.of(r.id()), out));
            timingsObserver.accept(result.timings());
        } catch (IllegalArgumentException e) {
            LOG.warn("{}: extract impossible: {}", r.id(), e.getMessage());
            return fail(r, partner, "L'extraction n'a pas pu être produite : un territoire ou un indicateur décidé "
                    + "n'est pas disponible dans les données de la CAF. Le Bureau d'Études reprendra la demande.");
        }
        if (!result.delivered()) {
            LOG.warn("{}: extract v{} refused by the disclosure audit ({} suppressed cells); reports in {}", r.id(),
                    version, result.suppressed(), out);
            return fail(r, partner, "Extraction refusée : l'audit du secret statistique (Art. 2) a montré que des "
                    + "valeurs masquées pourraient être recalculées à partir des valeurs publiées. Aucune donnée n'est "
                    + "livrée ; le Bureau d'Études reprendra la demande.");
        }
        String detail = "extract v" + version + ": " + result.cells().size() + " cells, " + result.suppressed()
                + " suppressed, territory " + scope.territory() + ", levels " + scope.levelCodes()
                + ", audit passed";
        if (!pipeline.extracted(r.id(), version, out.toString(), result.cells().size(),
                result.suppressed(), ACTOR, detail)) {
            return new Extraction(r.id(), partner.id(), List.of(), Optional.empty());
        }
        LOG.info("{} extracted: {} -> {}", r.id(), detail, out);
        return new Extraction(r.id(), partner.id(), List.of(StatusEvent.of(r.id(), partner.id(),
                RequestStatus.EXTRACTED.name(), clock.instant(), null)),
                Optional.of(new Delivery(r.id(), out.toString(), version)));
    }

    private Extraction fail(StoredRequest r, Partner partner, String reason) {
        if (!pipeline.failed(r.id(), RequestStatus.APPROVED, reason, ACTOR)) {
            return new Extraction(r.id(), partner.id(), List.of(), Optional.empty());
        }
        return new Extraction(r.id(), partner.id(), List.of(failedHere(r, partner, RequestStatus.APPROVED)
                .orElseThrow()), Optional.empty());
    }

    // ------------------------------------------------------------------ reading

    public Optional<Draft> draft(String requestId) {
        return pipeline.find(requestId).map(PipelineRecord::draftJson).map(s -> read(s, Draft.class));
    }

    public Optional<PipelineRecord> record(String requestId) {
        return pipeline.find(requestId);
    }

    private Optional<StoredRequest> find(String requestId) {
        if (requestId == null || !REQUEST_ID.matcher(requestId).matches()) {
            return Optional.empty();
        }
        return requests.find(requestId);
    }

    private StoredRequest request(String requestId) {
        return find(requestId).orElseThrow(() -> new IllegalArgumentException("no request "
                + Decision.printable(requestId)));
    }

    /** The partner of a stored request, from the registry: its id names queues and directories. */
    private Partner partner(StoredRequest r) {
        Partner p = r.partnerId() == null ? null : partners.find(r.partnerId()).orElse(null);
        if (p == null || !Partner.ID_PATTERN.matcher(p.id()).matches()) {
            throw new IllegalStateException(r.id() + " has no registered partner");
        }
        return p;
    }

    private Feuillet1 feuillet1(StoredRequest r) {
        if (r.feuillet1Json() == null) {
            throw new IllegalStateException(r.id() + " has no canonical feuillet 1");
        }
        return read(r.feuillet1Json(), Feuillet1.class);
    }

    private List<String> readList(String s) {
        if (s == null) {
            return List.of();
        }
        try {
            return json.readValue(s, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(String s, Class<T> type) {
        try {
            return json.readValue(s, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
