package fedgate.extract;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The extract's files are written at the same time: a failure of any of them must fail the write. */
class ExtractWriterParallelTest {

    @Test
    void anErrorInAnotherWriterFailsTheWholeWrite() {
        AtomicBoolean firstDone = new AtomicBoolean();
        assertThatThrownBy(() -> ExtractWriter.inParallel(() -> firstDone.set(true),
                () -> {
                    throw new OutOfMemoryError("simulated");
                }))
                .isInstanceOf(OutOfMemoryError.class).hasMessage("simulated");
        assertThat(firstDone).isTrue();
    }

    @Test
    void anIoFailureInAnotherWriterFailsTheWholeWrite() {
        assertThatThrownBy(() -> ExtractWriter.inParallel(() -> { },
                () -> {
                    throw new IOException("disk full");
                }))
                .isInstanceOf(IOException.class).hasMessage("disk full");
    }
}
