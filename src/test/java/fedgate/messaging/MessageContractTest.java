package fedgate.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example of docs/messages/ conforms to its schema, and the schemas do refuse what breaks the contract. */
class MessageContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXAMPLES = Path.of("docs/messages");

    @ParameterizedTest
    @CsvSource({"FED_REQUEST,fed-request.json", "ACKNOWLEDGEMENT,acknowledgement.json",
            "STATUS_EVENT,status-event.json", "FEUILLET2,feuillet2.json", "DELIVERY_NOTICE,delivery-notice.json"})
    void documentedExampleConformsToItsSchema(MessageContract contract, String file) throws Exception {
        String example = Files.readString(EXAMPLES.resolve(file));
        assertThat(contract.violations(example)).as(file).isEmpty();
        if (contract.type() != null) {
            assertThat(JSON.readTree(example).path("type").asText()).isEqualTo(contract.type());
            assertThat(MessageContract.ofType(contract.type())).contains(contract);
        }
    }

    @Test
    void statusEventWithoutRequestIdOrWithAnUnknownStatusIsRefused() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("status-event.json")));
        event.remove("requestId");
        assertThat(MessageContract.STATUS_EVENT.violations(event)).anyMatch(v -> v.contains("requestId"));
        event = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("status-event.json")));
        event.put("status", "LOST");
        assertThat(MessageContract.STATUS_EVENT.violations(event)).isNotEmpty();
    }

    @Test
    void acknowledgementWithAForeignFieldOrABadHashIsRefused() throws Exception {
        ObjectNode ack = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("acknowledgement.json")));
        ack.put("password", "x");
        assertThat(MessageContract.ACKNOWLEDGEMENT.violations(ack)).anyMatch(v -> v.contains("password"));
        ack.remove("password");
        ack.put("sha256", "ABC");
        assertThat(MessageContract.ACKNOWLEDGEMENT.violations(ack)).anyMatch(v -> v.contains("sha256"));
    }

    @Test
    void sftpDeliveryNoticeWithoutLocationIsRefused() throws Exception {
        ObjectNode notice = (ObjectNode) JSON.readTree(Files.readString(EXAMPLES.resolve("delivery-notice.json")));
        assertThat(notice.path("channel").asText()).isEqualTo("sftp");
        notice.remove("location");
        assertThat(MessageContract.DELIVERY_NOTICE.violations(notice)).anyMatch(v -> v.contains("location"));
    }

    @Test
    void submissionWithAMisspeltFieldIsRefusedAndNotJsonIsSaid() {
        assertThat(MessageContract.FED_REQUEST.violations("{\"etude\":\"x\"}")).anyMatch(v -> v.contains("etude"));
        assertThat(MessageContract.FEUILLET2.violations("not json")).containsExactly("$: not JSON (JsonParseException)");
    }
}
