package fedgate.app;

import fedgate.state.Database;

import java.nio.file.Path;
import java.sql.Connection;

/** Test helper run in a child JVM: opens the embedded database of a home, as a running gateway does, and holds it. */
public final class HoldDatabase {

    private HoldDatabase() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection c = Database.migrate(Database.h2(Path.of(args[0]).resolve("data").resolve("db"))).getConnection()) {
            System.out.println("holding");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
