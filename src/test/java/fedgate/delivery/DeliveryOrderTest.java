package fedgate.delivery;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fed.deliver message: strict, ids validated, nothing in it chooses a path by itself. */
class DeliveryOrderTest {

    @Test
    void readsARequestOrderAndAnAdHocOrder() throws Exception {
        DeliveryOrder o = DeliveryOrder.parse("{\"requestId\":\"FED-2026-000123\",\"extractDir\":\"/x/data/extracts/FED-2026-000123/v1\",\"version\":1}");
        assertThat(o.id().value()).isEqualTo("DLV-FED-2026-000123-v1");
        assertThat(o.channel()).isNull();
        assertThat(o.extractDir()).isEqualTo("/x/data/extracts/FED-2026-000123/v1");
        DeliveryOrder a = DeliveryOrder.parse("{\"adHocReference\":\"ADHOC-20261128-0a1b2c3d\",\"partnerId\":\"ville-rouen\",\"version\":2,\"channel\":\"email\"}");
        assertThat(a.id().value()).isEqualTo("DLV-ADHOC-20261128-0a1b2c3d-v2");
        assertThat(a.channel()).isEqualTo(DeliveryChannel.EMAIL);
        assertThat(DeliveryOrder.parse(a.toJson())).isEqualTo(a);
        assertThat(DeliveryOrder.parse(o.toJson())).isEqualTo(o);
    }

    @Test
    void requestIdWithPathTraversalIsRefused() {
        assertThatThrownBy(() -> DeliveryOrder.parse("{\"requestId\":\"../../etc\",\"version\":1}"))
                .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.code()).isEqualTo(DeliveryException.Code.INVALID_ID));
        assertThatThrownBy(() -> DeliveryOrder.parse("{\"adHocReference\":\"ADHOC-20261128-0a1b2c3d/../x\",\"partnerId\":\"ville-rouen\",\"version\":1,\"channel\":\"sftp\"}"))
                .isInstanceOf(DeliveryException.class);
        assertThatThrownBy(() -> DeliveryOrder.parse("{\"adHocReference\":\"ADHOC-20261128-0a1b2c3d\",\"partnerId\":\"../ville\",\"version\":1,\"channel\":\"sftp\"}"))
                .isInstanceOf(DeliveryException.class);
    }

    @Test
    void unknownFieldsManualChannelPartnerOverrideAndBadVersionsAreRefused() {
        for (String bad : new String[]{
                "{\"requestId\":\"FED-2026-000123\",\"version\":1,\"to\":\"evil@example.com\"}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":1,\"channel\":\"manual\"}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":1,\"partnerId\":\"ville-test\"}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":\"1\"}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":1.5}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":0}",
                "{\"requestId\":\"FED-2026-000123\",\"version\":1,\"version\":2}",
                "{\"requestId\":\"FED-2026-000123\",\"adHocReference\":\"ADHOC-20261128-0a1b2c3d\",\"version\":1}",
                "{\"adHocReference\":\"ADHOC-20261128-0a1b2c3d\",\"partnerId\":\"ville-rouen\",\"version\":1}",
                "[]", "not json", ""}) {
            assertThatThrownBy(() -> DeliveryOrder.parse(bad)).as(bad).isInstanceOf(DeliveryException.class);
        }
    }
}
