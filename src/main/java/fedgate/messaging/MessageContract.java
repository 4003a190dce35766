package fedgate.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON messages a partner's system exchanges with the gateway on the broker (docs/messages.md), each with its
 * JSON schema under {@code /fedgate/schema/}. The schemas are the published contract: partners validate against the
 * same files, and the tests check real messages of a running gateway against them.
 */
public enum MessageContract {

    /** The FED submission sent to {@code fed.requests.in} (feuillet 1). */
    FED_REQUEST(null, "feuillet1.schema.json"),
    /** The reply to a submission ({@code JMSType fed.acknowledgement}). */
    ACKNOWLEDGEMENT("fed.acknowledgement", "acknowledgement.schema.json"),
    /** A status change ({@code JMSType fed.status}). */
    STATUS_EVENT("fed.status", "status-event.schema.json"),
    /** The Bureau d'Études' answer ({@code JMSType fed.feuillet2}). */
    FEUILLET2("fed.feuillet2", "feuillet2.schema.json"),
    /** A delivery made ({@code JMSType fed.delivery}). */
    DELIVERY_NOTICE("fed.delivery", "delivery-notice.schema.json");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<MessageContract, JsonSchema> SCHEMAS = new EnumMap<>(MessageContract.class);

    private final String type;
    private final String schemaFile;

    MessageContract(String type, String schemaFile) {
        this.type = type;
        this.schemaFile = schemaFile;
    }

    /** The {@code type} field and JMSType of the message; null for the submission, which has none. */
    public String type() {
        return type;
    }

    public String schemaResource() {
        return "/fedgate/schema/" + schemaFile;
    }

    /** The contract of an outgoing message by its {@code type} / JMSType. */
    public static Optional<MessageContract> ofType(String type) {
        for (MessageContract c : values()) {
            if (c.type != null && c.type.equals(type)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** Every violation of the schema, as {@code $.path: message}; empty when the message conforms. */
    public List<String> violations(String message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (IOException e) {
            return List.of("$: not JSON (" + e.getClass().getSimpleName() + ")");
        }
        return violations(node);
    }

    public List<String> violations(JsonNode message) {
        return schema().validate(message).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    private JsonSchema schema() {
        synchronized (SCHEMAS) {
            return SCHEMAS.computeIfAbsent(this, MessageContract::load);
        }
    }

    private static JsonSchema load(MessageContract c) {
        try (InputStream in = MessageContract.class.getResourceAsStream(c.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("missing " + c.schemaResource());
            }
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(JSON.readTree(in), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
