package fedgate.crypto.bench;

import fedgate.crypto.EncryptionResult;
import fedgate.crypto.Passphrase;
import fedgate.crypto.PartnerKey;
import fedgate.crypto.PgpEncryptor;
import fedgate.crypto.PgpKeys;
import fedgate.crypto.SigningKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Sign-and-encrypt throughput, ours against {@code gpg --sign --encrypt}, same keys, cipher (AES-256),
 * hash (SHA-256) and compression (none), in the same run; prints MB/s, the ratio and the peak heap, and checks
 * that gpg decrypts and verifies our output.
 *
 * <pre>
 * java -Xmx256m -cp target/fedgate.jar fedgate.crypto.bench.PgpBenchmark [sizeMiB=1024] [dir=bench-data] [runs=2] [keys=certs-sample/pgp]
 * </pre>
 */
public final class PgpBenchmark {

    private static final String CAF_FPR = "FC9E95962F83426053AE8D594A44F6A0F6937519";
    private static final String VILLE_FPR = "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406";

    public static void main(String[] args) throws Exception {
        long sizeMiB = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        Path dir = Path.of(args.length > 1 ? args[1] : "bench-data");
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path keys = Path.of(args.length > 3 ? args[3] : "certs-sample/pgp");
        Files.createDirectories(dir);
        long size = sizeMiB << 20;

        Path plain = dir.resolve("plain-" + sizeMiB + "MiB.csv");
        if (!Files.exists(plain) || Files.size(plain) != size) {
            System.out.printf("creating %s (%d MiB of CSV-like random text)%n", plain, sizeMiB);
            createInput(plain, size);
        }

        char[] pass = Passphrase.from("FEDGATE_CAF_PASSPHRASE", keys.resolve("caf-rouen.pass"));
        SigningKey caf = PgpKeys.signingKey(PgpKeys.readSecretKeyRing(keys.resolve("caf-rouen.sec.asc")), pass, Instant.now());
        Passphrase.wipe(pass);
        PartnerKey ville = PgpKeys.partnerKey("ville-rouen", keys.resolve("ville-rouen.pub.asc"), VILLE_FPR, Instant.now());

        Path home = Files.createTempDirectory(Path.of("/tmp"), "fgbench");
        try {
            gpg(home, keys.resolve("caf-rouen.pass"), "--import", keys.resolve("caf-rouen.sec.asc").toString());
            gpg(home, keys.resolve("ville-rouen.pass"), "--import", keys.resolve("ville-rouen.sec.asc").toString());

            Path ours = dir.resolve("ours.gpg");
            Path theirs = dir.resolve("gpg.gpg");
            PgpEncryptor encryptor = new PgpEncryptor(caf, ville);
            // warm-up (JIT) on 64 MiB, not measured
            try (InputStream in = limited(plain, 64L << 20); OutputStream out = Files.newOutputStream(ours)) {
                encryptor.signAndEncrypt(in, out, "warmup.csv", 0);
            }
            resetPeaks();

            double bestOurs = 0;
            double bestGpg = 0;
            EncryptionResult result = null;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int run = 1; run <= runs; run++) {
                dropCache(plain);
                Files.deleteIfExists(ours); // as for gpg's output: truncating 1 GiB is not part of the measurement
                double loadBefore = os.getSystemLoadAverage();
                long t0 = System.nanoTime();
                long process0 = os.getProcessCpuTime();
                long caller0 = threads.getCurrentThreadCpuTime();
                try (InputStream in = Files.newInputStream(plain); OutputStream out = Files.newOutputStream(ours)) {
                    result = encryptor.signAndEncrypt(in, out, plain.getFileName().toString(), Files.getLastModifiedTime(plain).toMillis());
                }
                double oursMBs = size / 1e6 / ((System.nanoTime() - t0) / 1e9);
                double callerNs = (threads.getCurrentThreadCpuTime() - caller0) / (double) size;
                double otherNs = (os.getProcessCpuTime() - process0) / (double) size - callerNs;
                bestOurs = Math.max(bestOurs, oursMBs);

                Files.deleteIfExists(theirs);
                long children0 = childrenCpuTicks();
                long t1 = System.nanoTime();
                gpg(home, keys.resolve("caf-rouen.pass"), "--sign", "--encrypt", "--compress-algo", "none",
                        "--cipher-algo", "AES256", "--digest-algo", "SHA256", "-r", VILLE_FPR, "-u", CAF_FPR,
                        "--output", theirs.toString(), plain.toString());
                double gpgMBs = size / 1e6 / ((System.nanoTime() - t1) / 1e9);
                double gpgNs = (childrenCpuTicks() - children0) * 1e7 / size; // 100 ticks per second
                bestGpg = Math.max(bestGpg, gpgMBs);
                System.out.printf("run %d: ours %.0f MB/s, gpg %.0f MB/s, ratio %.2f (load average %.1f -> %.1f)%n", run, oursMBs,
                        gpgMBs, oursMBs / gpgMBs, loadBefore, os.getSystemLoadAverage());
                System.out.printf("       CPU time: ours %.2f ns/B (caller thread %.2f, other threads %.2f), gpg %.2f ns/B%n",
                        callerNs + otherNs, callerNs, otherNs, gpgNs);
            }
            long peakHeap = peakHeap();
            System.out.printf("plain %d bytes, ours %d bytes, gpg %d bytes%n", size, Files.size(ours), Files.size(theirs));
            System.out.printf("best: ours %.0f MB/s, gpg %.0f MB/s, ratio %.2f (target >= 1.5)%n", bestOurs, bestGpg, bestOurs / bestGpg);
            System.out.printf("max heap %d MiB, peak heap used %d MiB%n", Runtime.getRuntime().maxMemory() >> 20, peakHeap >> 20);

            // gpg reads what we wrote: decrypt + verify, plaintext hash compared without keeping it
            Process p = new ProcessBuilder("sh", "-c", "gpg --homedir '" + home + "' --batch --no-tty --trust-model always"
                    + " --pinentry-mode loopback --passphrase-file '" + keys.resolve("ville-rouen.pass")
                    + "' --status-fd 2 --decrypt '" + ours + "' 2>" + home.resolve("status") + " | sha256sum").start();
            String sum = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).split(" ")[0];
            p.waitFor(30, TimeUnit.MINUTES);
            String status = Files.readString(home.resolve("status"));
            boolean ok = status.contains("DECRYPTION_INFO 2 9") && status.contains("GOODMDC")
                    && status.contains("VALIDSIG " + CAF_FPR) && sum.equals(result.plainSha256());
            System.out.printf("gpg decrypts and verifies our output: %s (DECRYPTION_INFO 2 9, GOODMDC, VALIDSIG, sha256 %s)%n",
                    ok ? "yes" : "NO", sum.equals(result.plainSha256()) ? "equal" : "DIFFERENT");
            if (!ok) {
                System.exit(1);
            }
        } finally {
            new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all").start().waitFor();
            new ProcessBuilder("rm", "-rf", home.toString()).start().waitFor();
        }
    }

    private static void createInput(Path file, long size) throws IOException {
        Random random = new Random(4);
        byte[] line = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            long written = 0;
            while (written < size) {
                StringBuilder sb = new StringBuilder(line.length + 64);
                while (sb.length() < line.length) {
                    sb.append(76000 + random.nextInt(999)).append(';').append(2015 + random.nextInt(10)).append(';')
                            .append(random.nextInt(100_000)).append(';').append(Long.toHexString(random.nextLong())).append('\n');
                }
                byte[] chunk = sb.toString().getBytes(StandardCharsets.US_ASCII);
                int n = (int) Math.min(line.length, size - written);
                out.write(chunk, 0, n);
                written += n;
            }
        }
    }

    private static InputStream limited(Path file, long max) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new java.io.FilterInputStream(in) {
            long left = max;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    /** Best effort: both contenders read the file from the page cache (warmed by a read). */
    private static void dropCache(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 20];
            while (in.read(b) >= 0) {
                // warm the page cache so that neither side pays the disk
            }
        }
    }

    private static void gpg(Path home, Path passFile, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gpg", "--homedir", home.toString(), "--batch", "--no-tty",
                "--trust-model", "always", "--pinentry-mode", "loopback"));
        command.addAll(List.of("--passphrase-file", passFile.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(l -> output.append(l).append('\n'));
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("gpg failed: " + output);
        }
    }

    /** CPU time of reaped child processes (gpg), clock ticks: fields 16 and 17 of /proc/self/stat; 0 elsewhere. */
    private static long childrenCpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime, cstime (fields 16, 17)
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** Sum of the heap pools' peaks since the last reset (an upper bound of the true peak). */
    private static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
