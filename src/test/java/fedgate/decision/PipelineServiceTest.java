package fedgate.decision;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import fedgate.disclosure.DisclosurePolicy;
import fedgate.extract.ExtractEngine;
import fedgate.extract.Geography;
import fedgate.extract.IndicatorCatalogue;
import fedgate.extract.SnapshotGenerator;
import fedgate.fed.Feuillet1;
import fedgate.ledger.AuditLedger;
import fedgate.partner.PartnerRegistry;
import fedgate.state.Database;
import fedgate.state.PipelineRepository;
import fedgate.state.RequestRepository;
import fedgate.state.RequestStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pipeline's state machine on a real H2 database and a generated snapshot, without Camel. */
class PipelineServiceTest {

    @TempDir
    static Path tmp;
    static Path snapshot;
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @BeforeAll
    static void snapshot() throws Exception {
        snapshot = SnapshotGenerator.generate(Geography.metropoleRouen(), 20_000, 2025, 3,
                tmp.resolve("snapshot.parquet")).file();
    }

    private AuditLedger ledger;

    private PipelineService service(Path home, DisclosurePolicy policy, boolean autoApprove, RequestRepository[] repo) {
        DataSource ds = Database.migrate(Database.h2(home.resolve("db")));
        ledger = new AuditLedger(ds, Clock.systemUTC());
        RequestRepository requests = new RequestRepository(ds, ledger);
        repo[0] = requests;
        return new PipelineService(new PipelineService.Settings(snapshot, home.resolve("extracts"), "CAF de Rouen",
                new Feuillet2.Referent("Bureau d'Études", null, "etudes@caf-rouen.example"), autoApprove),
                requests, new PipelineRepository(ds, requests), PartnerRegistry.withSamples(home.resolve("partners")),
                new ExtractEngine(Geography.metropoleRouen(), IndicatorCatalogue.load(), policy), JSON,
                Clock.systemUTC());
    }

    private static String validated(RequestRepository requests, Feuillet1.Diffusion diffusion) throws Exception {
        return validated(requests, diffusion, List.of("76540", "200023414"));
    }

    private static String validated(RequestRepository requests, Feuillet1.Diffusion diffusion,
                                    List<String> territories) throws Exception {
        byte[] raw = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
        String id = requests.insertReceived(new RequestRepository.NewRequest("BROKER", "m-" + UUID.randomUUID(),
                "ville-rouen", null, Instant.now(), UUID.randomUUID().toString().replace("-", "")
                + UUID.randomUUID().toString().replace("-", ""), raw), "test").orElseThrow();
        Feuillet1 f1 = new Feuillet1("ville-rouen", "Ville de Rouen",
                new Feuillet1.Referent("MARTIN", "Camille", "Observatoire", null, "referent@ville-rouen.example"),
                new Feuillet1.RequestingService("Action sociale", null), "Diagnostic", List.of("Nombre d'allocataires"),
                List.of("ALLOC", "TX_COUV"), territories, null, diffusion, null,
                LocalDate.of(2026, 11, 20), "mail");
        requests.complete(id, "ville-rouen", RequestStatus.VALIDATED, "[]", JSON.writeValueAsString(f1), "{}",
                "gateway", "validated");
        return id;
    }

    @Test
    void extractRefusedByTheAuditFailsWithTheFrenchReasonAndIsNeverDelivered() throws Exception {
        DisclosurePolicy unreachable;
        try (InputStream in = getClass().getResourceAsStream("/fedgate/policy-unreachable.json")) {
            unreachable = DisclosurePolicy.read(in);
        }
        Path home = tmp.resolve("refused");
        RequestRepository[] repo = new RequestRepository[1];
        PipelineService s = service(home, unreachable, false, repo);
        String id = validated(repo[0], Feuillet1.Diffusion.INTERNE);

        PipelineService.Assessment a = s.assess(id);
        assertThat(a.events()).extracting(StatusEvent::status).containsExactly("VALIDATED", "ASSESSED");
        assertThat(s.draft(id).orElseThrow().publishableIndicators()).isEmpty();
        assertThat(s.draft(id).orElseThrow().motif()).contains("Audit du secret statistique non satisfait");
        // nothing publishable: a favorable answer must name what it delivers
        assertThatThrownBy(() -> s.decide(id, new Decision(true, "ok", List.of(), null, false), "bureau"))
                .isInstanceOf(Decision.InvalidDecision.class);
        assertThat(s.decide(id, new Decision(true, "ok", List.of("ALLOC"), null, false), "bureau").result())
                .isEqualTo(PipelineService.Result.DONE);

        PipelineService.Extraction x = s.extract(id);
        assertThat(x.delivery()).isEmpty();
        assertThat(x.events()).singleElement().satisfies(e -> {
            assertThat(e.status()).isEqualTo("FAILED");
            assertThat(e.reason()).contains("Extraction refusée", "secret statistique", "Art. 2");
        });
        assertThat(repo[0].find(id).orElseThrow().status()).isEqualTo(RequestStatus.FAILED);
        Path v1 = home.resolve("extracts/" + id + "/v1");
        assertThat(v1.resolve("disclosure-report.md")).isRegularFile();
        assertThat(v1.resolve("extract.csv")).doesNotExist();
        assertThat(v1.resolve("extract.json")).doesNotExist();
        assertThat(s.record(id).orElseThrow().failureReason()).contains("Extraction refusée");
        // a redelivered message changes nothing, but gives the FAILED event to send again (its broker transaction may
        // have been lost after the database commit): the same event, time and reason from the history
        PipelineService.Extraction again = s.extract(id);
        assertThat(again.events()).isEmpty();
        assertThat(again.again()).containsExactlyElementsOf(x.events());
        assertThat(again.delivery()).isEmpty();
        assertThat(Files.exists(home.resolve("extracts/" + id + "/v2"))).isFalse();
    }

    @Test
    void eachStageMovesARequestOnceAndOnlyFromItsStatus() throws Exception {
        Path home = tmp.resolve("once");
        RequestRepository[] repo = new RequestRepository[1];
        PipelineService s = service(home, DisclosurePolicy.load(), false, repo);
        String id = validated(repo[0], Feuillet1.Diffusion.INTERNE);

        // not assessed yet: no decision, no extract
        assertThat(s.decide(id, new Decision(true, "ok", List.of(), null, false), "bureau").result())
                .isEqualTo(PipelineService.Result.CONFLICT);
        assertThat(s.assess(id).events()).hasSize(2);
        assertThat(s.assess(id).events()).isEmpty();
        assertThat(s.extract(id).delivery()).isEmpty();
        assertThat(s.decide(id, new Decision(true, "ok", List.of(), "10 jours", false), "bureau").result())
                .isEqualTo(PipelineService.Result.DONE);
        assertThat(s.decide(id, new Decision(false, "non", List.of(), null, false), "other").result())
                .isEqualTo(PipelineService.Result.CONFLICT);

        PipelineService.Notice n = s.feuillet2(id).orElseThrow();
        assertThat(n.referentEmail()).isEqualTo("referent@ville-rouen.example");
        assertThat(n.queueExtract()).isTrue();
        assertThat(n.feuillet2().indicators()).extracting(Feuillet2.Indicator::code).containsExactly("ALLOC", "TX_COUV");
        assertThat(n.feuillet2().signature()).contains("bureau");
        s.feuillet2Sent(n.feuillet2());
        assertThat(s.feuillet2(id).orElseThrow().alreadySent()).isTrue();

        PipelineService.Extraction x = s.extract(id);
        assertThat(x.delivery()).hasValueSatisfying(d -> {
            assertThat(d.version()).isEqualTo(1);
            assertThat(Path.of(d.extractDir()).resolve("extract.csv")).isRegularFile();
        });
        // a redelivered order extracts nothing again, but sends the same deliver order again (it may have been lost
        // to a crash between the database commit and the queue commit; delivery is idempotent on request + version)
        PipelineService.Extraction again = s.extract(id);
        assertThat(again.events()).isEmpty();
        assertThat(again.delivery()).isEqualTo(x.delivery());
        assertThat(Path.of(x.delivery().orElseThrow().extractDir()).resolveSibling("v2")).doesNotExist();
        assertThat(repo[0].history(id)).extracting(h -> h.status() + "/" + h.actor())
                .contains("ASSESSED/fedgate", "APPROVED/bureau", "EXTRACTED/fedgate");
        // every step is a hash-chained ledger event, written in the transaction of the step
        assertThat(ledger.events(id)).extracting(e -> e.type() + "/" + e.actor()).contains("request.assessed/fedgate",
                "feuillet2.decided/bureau", "feuillet2.sent/fedgate", "extract.produced/fedgate");
        assertThat(ledger.verify().ok()).isTrue();
    }

    @Test
    void autoApprovalLeavesExternalDiffusionToTheBureau() throws Exception {
        Path home = tmp.resolve("auto");
        RequestRepository[] repo = new RequestRepository[1];
        PipelineService s = service(home, DisclosurePolicy.load(), true, repo);
        String interne = validated(repo[0], Feuillet1.Diffusion.INTERNE);
        String externe = validated(repo[0], Feuillet1.Diffusion.EXTERNE);
        assertThat(s.assess(interne).decided()).isTrue();
        assertThat(repo[0].find(interne).orElseThrow().status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(s.assess(externe).decided()).isFalse();
        assertThat(repo[0].find(externe).orElseThrow().status()).isEqualTo(RequestStatus.ASSESSED);

        // approved without the Art. 4 approval: waits, and says so
        assertThat(s.decide(externe, new Decision(true, "ok", List.of(), null, false), "bureau").message())
                .contains("waiting for the approval of the external diffusion");
        PipelineService.Notice n = s.feuillet2(externe).orElseThrow();
        assertThat(n.queueExtract()).isFalse();
        assertThat(n.event().reason()).contains("Art. 4");
        assertThat(s.extract(externe).delivery()).isEmpty();
        assertThat(s.approveExternalDiffusion(interne, "bureau").result()).isEqualTo(PipelineService.Result.CONFLICT);
        assertThat(s.approveExternalDiffusion(externe, "bureau").result()).isEqualTo(PipelineService.Result.DONE);
        assertThat(s.feuillet2(externe).orElseThrow().queueExtract()).isTrue();
        assertThat(ledger.events(externe)).extracting(e -> e.type()).contains("diffusion.approved");
        assertThat(ledger.events(interne)).extracting(e -> e.type() + "/" + e.actor())
                .contains("feuillet2.decided/" + AutoApproval.ACTOR);
        assertThat(s.extract(externe).delivery()).isPresent();
    }

    /**
     * A gateway killed between the assessment's commit and the auto-approval policy's decision: the broker redelivers
     * the order, the request is already ASSESSED. It used to stop there ("already assessed, nothing to do") and stay
     * ASSESSED for ever (CrashAllStagesProofIT caught one such request among 100); the policy now decides it.
     */
    @Test
    void anAssessedRequestTheAutoApprovalPolicyHadNotDecidedIsDecidedOnRedelivery() throws Exception {
        Path home = tmp.resolve("auto-crash");
        RequestRepository[] repo = new RequestRepository[1];
        // the assessment committed, the decision not: the same state as assessing without the policy
        PipelineService before = service(home, DisclosurePolicy.load(), false, repo);
        String id = validated(repo[0], Feuillet1.Diffusion.INTERNE);
        assertThat(before.assess(id).decided()).isFalse();
        assertThat(repo[0].find(id).orElseThrow().status()).isEqualTo(RequestStatus.ASSESSED);
        assertThat(before.draft(id).orElseThrow().autoApprovable()).isTrue();

        PipelineService after = service(home, DisclosurePolicy.load(), true, repo);
        assertThat(after.assess(id).decided()).isTrue();
        assertThat(repo[0].find(id).orElseThrow().status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(ledger.events(id)).extracting(e -> e.type() + "/" + e.actor())
                .containsOnlyOnce("feuillet2.decided/" + AutoApproval.ACTOR);
        // a further redelivery decides nothing again (it only queues the recorded decision once more)
        after.assess(id);
        assertThat(repo[0].find(id).orElseThrow().status()).isEqualTo(RequestStatus.APPROVED);
        assertThat(ledger.events(id)).extracting(e -> e.type() + "/" + e.actor())
                .containsOnlyOnce("feuillet2.decided/" + AutoApproval.ACTOR);
    }

    @Test
    void aRedeliveredAssessmentOrderGivesTheStageEventsAgainFromTheHistory() throws Exception {
        RequestRepository[] repo = new RequestRepository[1];
        PipelineService service = service(tmp.resolve("again"), DisclosurePolicy.load(), false, repo);
        String id = validated(repo[0], Feuillet1.Diffusion.INTERNE);
        PipelineService.Assessment first = service.assess(id);
        assertThat(first.events()).extracting(StatusEvent::status).containsExactly("VALIDATED", "ASSESSED");
        assertThat(first.again()).isEmpty();

        // the broker transaction carrying those events may have been lost after the database commit: the order
        // comes again, the request is ASSESSED, nothing is assessed twice, its two events are given to send again
        PipelineService.Assessment redelivered = service.assess(id);
        assertThat(redelivered.events()).isEmpty();
        assertThat(redelivered.again()).extracting(StatusEvent::status).containsExactly("VALIDATED", "ASSESSED");
        // VALIDATED: the copy is the same event as the first send (ASSESSED's first send is timed when it is made,
        // a fraction of a millisecond from its history entry; its duplicate-detection id does not hold the time)
        assertThat(redelivered.again().get(0)).isEqualTo(first.events().get(0));
        List<RequestRepository.HistoryEntry> history = repo[0].history(id);
        assertThat(redelivered.again()).extracting(StatusEvent::at).containsExactly(
                history.stream().filter(h -> h.status() == RequestStatus.VALIDATED).findFirst().orElseThrow().at(),
                history.stream().filter(h -> h.status() == RequestStatus.ASSESSED).findFirst().orElseThrow().at());
        assertThat(ledger.events(id)).extracting(e -> e.type()).containsOnlyOnce("request.assessed");
    }

    @Test
    void aRedeliveredOrderOfAFailedAssessmentGivesItsFailedEventAgain() throws Exception {
        RequestRepository[] repo = new RequestRepository[1];
        PipelineService service = service(tmp.resolve("failed-again"), DisclosurePolicy.load(), false, repo);
        // a territory outside the CAF's geography: the feasibility cannot be assessed
        String id = validated(repo[0], Feuillet1.Diffusion.INTERNE, List.of("99999"));
        PipelineService.Assessment first = service.assess(id);
        assertThat(first.events()).extracting(StatusEvent::status).containsExactly("VALIDATED", "FAILED");
        StatusEvent failed = first.events().get(1);
        assertThat(failed.reason()).contains("La faisabilité de la demande n'a pas pu être évaluée");
        RequestRepository.HistoryEntry stored = repo[0].history(id).stream()
                .filter(h -> h.status() == RequestStatus.FAILED).findFirst().orElseThrow();
        assertThat(failed.at()).isEqualTo(stored.at());

        PipelineService.Assessment redelivered = service.assess(id);
        assertThat(redelivered.events()).isEmpty();
        assertThat(redelivered.again()).extracting(StatusEvent::status).containsExactly("VALIDATED", "FAILED");
        assertThat(redelivered.again().get(1)).isEqualTo(failed);
        assertThat(repo[0].find(id).orElseThrow().status()).isEqualTo(RequestStatus.FAILED);
        assertThat(ledger.events(id)).extracting(e -> e.type()).containsOnlyOnce("request.failed");
    }
}
