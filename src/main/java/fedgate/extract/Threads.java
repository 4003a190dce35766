package fedgate.extract;

/** The extract's helper threads (deciles, writers): short-lived, joined before their results are used. */
final class Threads {

    private Threads() {
    }

    /**
     * Waits for {@code t} to end even if interrupted meanwhile (its results are needed, and it only reads), then
     * restores the interrupt.
     */
    static void join(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
