package fedgate.fed;

import static fedgate.fed.FedSamples.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fedgate.fed.FedReadException.Code;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** XXE: an entity pointing at a local file or a remote DTD must never be resolved. */
class XmlExternalEntityAttackTest {

    private final FedDocumentReader reader = new FedDocumentReader();

    @Test
    void fileEntityIsNeverResolved() {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE feuillet1 [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
                <feuillet1>
                  <requestingOrganisation>Ville de Rouen</requestingOrganisation>
                  <study>&xxe;</study>
                </feuillet1>
                """;
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "fed.xml", "application/xml"));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
        assertThat(e.reasonFr()).contains("DOCTYPE");
        assertThat(e.reasonFr() + e.getMessage()).doesNotContain("root:");
        FedSamples.assertFrenchReason(e);
    }

    @Test
    void externalDtdIsNeverFetched() throws Exception {
        try (ServerSocket trap = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            trap.setSoTimeout(300);
            String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE feuillet1 SYSTEM \"http://127.0.0.1:" + trap.getLocalPort()
                    + "/evil.dtd\">\n<feuillet1><study>x</study><requestingOrganisation>y</requestingOrganisation></feuillet1>";
            FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "fed.txt", null));
            assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
            FedSamples.assertFrenchReason(e);
            boolean connected;
            try (var s = trap.accept()) {
                connected = true;
            } catch (SocketTimeoutException none) {
                connected = false;
            }
            assertThat(connected).as("the parser connected to the external DTD").isFalse();
        }
    }

    @Test
    void parameterEntityOutOfBandIsRefused() {
        String xml = """
                <?xml version="1.0"?>
                <!DOCTYPE fed [ <!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote; ]>
                <fed><study>x</study></fed>
                """;
        FedReadException e = catchThrowableOfType(FedReadException.class, () -> reader.read(utf8(xml), "fed.xml", null));
        assertThat(e.code()).isEqualTo(Code.MALFORMED_XML);
        FedSamples.assertFrenchReason(e);
    }
}
