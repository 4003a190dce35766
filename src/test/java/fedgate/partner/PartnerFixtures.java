package fedgate.partner;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/** Partners for tests. */
public final class PartnerFixtures {

    public static final String SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDVWeUOWBPSh17qmfNKpcJQII2RYFXXx17hisogqCW/3 ville-rouen@sample (throw-away)";
    public static final String FPR = "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406";

    private PartnerFixtures() {
    }

    public static Partner partner(String id) {
        return new Partner(id, "Ville de Test", Convention.signed(LocalDate.of(2025, 1, 15)),
                new Partner.Referent("Camille Martin", "referent@" + "test.example", null, null), SSH_KEY, FPR,
                Set.of(Channel.MAIL), false,
                List.of(new Partner.Territory("76540", Partner.TerritoryKind.COMMUNE, "Rouen")));
    }

    /** A valid partner file for {@code id}, with the given JSON fields replacing the defaults. */
    public static String json(String id) {
        return """
                {
                  "id": "%s",
                  "name": "Ville de Test",
                  "convention": { "signedOn": "2025-01-15" },
                  "referent": { "name": "Dominique Petit", "email": "referent@test.example" },
                  "sftpPublicKey": "%s",
                  "pgpFingerprint": "%s",
                  "allowedChannels": ["MAIL", "SFTP"],
                  "territories": [ { "code": "76451", "kind": "COMMUNE", "name": "Mont-Saint-Aignan" } ]
                }
                """.formatted(id.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\u0000", "\\u0000"),
                SSH_KEY, FPR);
    }
}
