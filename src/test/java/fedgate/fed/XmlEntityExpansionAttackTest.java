package fedgate.fed;

import static fedgate.fed.FedSamples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import fedgate.fed.FedReadException.Code;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** "Billion laughs": nested internal entities that would expand to gigabytes. */
class XmlEntityExpansionAttackTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    @Test
    void billionLaughsIsRejectedFast() {
        StringBuilder dtd = new StringBuilder("<!ENTITY lol0 \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            String prev = "&lol" + (i - 1) + ";";
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(prev.repeat(10)).append("\">\n");
        }
        String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE feuillet1 [\n" + dtd + "]>\n"
                + "<feuillet1><study>&lol9;</study><requestingOrganisation>Ville</requestingOrganisation></feuillet1>";
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "fed.xml", null)));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void deeplyNestedElementsAreRejected() {
        String xml = "<feuillet1>" + "<a>".repeat(5_000) + "x" + "</a>".repeat(5_000) + "</feuillet1>";
        FedReadException e = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "fed.xml", null)));
        assertThat(e.code()).isIn(Code.MALFORMED_XML, Code.SCHEMA);
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void deeplyNestedJsonIsRejected() {
        String json = "{\"study\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(json), "f.json", null));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_JSON);
        FedSamples.assertFrenchReason(e);
    }
}
