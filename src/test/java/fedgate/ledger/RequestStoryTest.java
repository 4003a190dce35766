package fedgate.ledger;

import com.fasterxml.jackson.databind.JsonNode;
import fedgate.state.RequestRepository;
import fedgate.state.RequestRepository.HistoryEntry;
import fedgate.state.RequestStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code audit export}: one request's story, from the request history and the ledger, in JSON and French. */
class RequestStoryTest {

    private static final String SHA = "3f".repeat(32);

    @TempDir
    Path tmp;

    @Test
    void storyInFrenchFromLedgerEvents() {
        Instant t0 = Instant.parse("2026-11-28T16:45:12.345Z"); // 17:45:12 in Paris
        List<LedgerEvent> events = List.of(
                event(1, t0, "referent@ville-rouen.example", EventTypes.REQUEST_RECEIVED,
                        "{\"channel\":\"MAIL\",\"sha256\":\"" + SHA + "\"}"),
                event(2, t0.plusSeconds(2), "gateway", EventTypes.REQUEST_VALIDATED, "{}"),
                event(3, t0.plusSeconds(86_400), "bureau", EventTypes.FEUILLET2_DECIDED,
                        "{\"delay\":\"15 jours\",\"favorable\":true,\"indicators\":[\"ALLOC\",\"AL\"],\"motif\":\"socle\"}"),
                event(4, t0.plusSeconds(90_000), "gateway", EventTypes.DELIVERY_SENT,
                        "{\"channel\":\"SFTP\",\"files\":[{\"name\":\"extract.csv.gpg\"}],\"recipient\":\"ville-rouen\","
                                + "\"recipientKeyFingerprint\":\"5B7D\",\"usageTermsVersion\":\"1\"}"),
                event(5, t0.plusSeconds(100_000), "gateway", EventTypes.REMINDER_SENT,
                        "{\"dueDate\":\"2027-03-01\",\"number\":1,\"to\":\"referent@ville-rouen.example\"}"));
        RequestStory story = RequestStory.of("FED-2026-000001", null, List.of(), events);
        String text = story.toFrenchText();
        assertThat(text).contains("28/11/2026 17:45:12 — Demande FED-2026-000001 reçue par courriel (SHA-256 " + SHA
                + ") — par referent@ville-rouen.example [registre n° 1]");
        assertThat(text).contains("28/11/2026 17:45:14 — Demande FED-2026-000001 validée — par gateway [registre n° 2]");
        assertThat(text).contains("29/11/2026 17:45:12 — Feuillet 2 : avis favorable — motif : socle — indicateurs "
                + "disponibles : ALLOC, AL — délais de livraison : 15 jours — par bureau [registre n° 3]");
        assertThat(text).contains("Données livrées à ville-rouen par dépôt SFTP (1 fichier(s) chiffré(s), clé du "
                + "destinataire 5B7D) — conditions d'usage version 1");
        assertThat(text).contains("Relance n° 1 envoyée à referent@ville-rouen.example : exemplaire de l'étude attendu "
                + "(Art. 3), échéance le 01/03/2027");
        assertThat(text.indexOf("[registre n° 1]")).isLessThan(text.indexOf("[registre n° 2]"));
    }

    @Test
    void everyStateChangeOfARequestIsOneLedgerEventAndTheExportTellsEachOnce() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp, Instant.now())) {
            RequestRepository requests = new RequestRepository(db.ds, db.ledger);
            Instant received = Instant.now();
            String id = requests.insertReceived(new RequestRepository.NewRequest("MAIL", "<m1@ville-rouen.example>",
                    "referent@ville-rouen.example", null, received, SHA, "Organisme demandeur : Ville de Rouen"
                    .getBytes(StandardCharsets.UTF_8)), "referent@ville-rouen.example").orElseThrow();
            requests.complete(id, "ville-rouen", RequestStatus.REJECTED,
                    "[{\"code\":\"UNKNOWN_INDICATOR\",\"text\":\"L'indicateur « XYZ » est inconnu.\",\"blocking\":true}]",
                    null, "{}", "gateway", "rejected: UNKNOWN_INDICATOR");
            db.ledger.append("other", "FED-2099-000999", EventTypes.REQUEST_VALIDATED, Map.of());

            List<LedgerEvent> events = db.ledger.events(id);
            assertThat(events).extracting(LedgerEvent::type)
                    .containsExactly(EventTypes.REQUEST_RECEIVED, EventTypes.REQUEST_REJECTED);
            assertThat(db.ledger.verify().ok()).isTrue();

            RequestStory story = db.ledger.export(id);
            String text = story.toFrenchText();
            String when = DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm:ss").withZone(ZoneId.of("Europe/Paris"))
                    .format(events.get(0).at());
            assertThat(text).startsWith("Historique de la demande " + id + "\nPartenaire : ville-rouen — reçue le ");
            assertThat(text).contains(when + " — Demande " + id + " reçue par courriel (SHA-256 " + SHA + ")");
            assertThat(text).contains("Demande " + id + " rejetée : L'indicateur « XYZ » est inconnu. — par gateway");
            assertThat(text).doesNotContain("FED-2099-000999");
            assertThat(text.split("reçue par courriel", -1)).hasSize(2); // one step, not two (the header says "reçue le")

            JsonNode json = CanonicalJson.parse(story.toJson());
            assertThat(json.path("requestId").asText()).isEqualTo(id);
            assertThat(json.path("request").path("sha256").asText()).isEqualTo(SHA);
            assertThat(json.path("events")).hasSize(2);
            assertThat(json.path("events").get(0).path("seq").asLong()).isEqualTo(events.get(0).seq());
            assertThat(json.path("events").get(0).path("hash").asText()).isEqualTo(events.get(0).hash());
            assertThat(json.path("events").get(0).path("details").path("channel").asText()).isEqualTo("MAIL");
            assertThat(json.path("events").get(1).path("details").path("status").asText()).isEqualTo("REJECTED");
        }
    }

    @Test
    void unknownRequestHasAnEmptyStory() throws Exception {
        try (LedgerTestDb db = LedgerTestDb.open(tmp)) {
            assertThat(db.ledger.export("FED-2026-123456").isEmpty()).isTrue();
        }
        HistoryEntry h = new HistoryEntry(Instant.parse("2026-11-28T16:45:12Z"), RequestStatus.DELIVERED, "gateway", "x");
        assertThat(RequestStory.of("FED-1", null, List.of(h), List.of()).toFrenchText())
                .contains("28/11/2026 17:45:12 — Données livrées (demande FED-1) — par gateway [historique]");
    }

    private static LedgerEvent event(long seq, Instant at, String actor, String type, String details) {
        return new LedgerEvent(seq, at, actor, "FED-2026-000001", type, details, "0".repeat(64), "h" + seq);
    }
}
