package fedgate.partner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartnerRegistryTest {

    @TempDir
    Path dir;

    @Test
    void shippedVilleRouenLoadsAndValidates() throws Exception {
        Partner p = PartnerRegistry.readClasspath("ville-rouen");
        assertThat(p.id()).isEqualTo("ville-rouen");
        assertThat(p.name()).isEqualTo("Ville de Rouen");
        assertThat(p.referent().email()).isEqualTo("referent@ville-rouen.example");
        assertThat(p.referent().service()).isEqualTo("Direction de l'Action Sociale / Observatoire");
        assertThat(p.convention()).isEqualTo(new Convention(LocalDate.of(2025, 1, 15), 1, true, null));
        assertThat(p.pgpFingerprint()).isEqualTo("5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406");
        assertThat(p.allowedChannels()).containsExactlyInAnyOrder(Channel.MAIL, Channel.SFTP, Channel.BROKER);
        assertThat(p.requireSignedRequests()).isFalse();
        assertThat(p.territoryCodes()).containsExactly("76540", "200023414");
        // the embedded line is the sample key of certs-sample/ (Maven runs tests from the project directory)
        assertThat(p.sftpPublicKey()).isEqualTo(Files.readString(Path.of("certs-sample/ssh/ville-rouen.pub")).strip());
    }

    @Test
    void samplesPlusDirectoryAndLookups() throws Exception {
        Files.writeString(dir.resolve("ville-test.json"), PartnerFixtures.json("ville-test"));
        Files.writeString(dir.resolve("README.txt"), "not a partner");
        PartnerRegistry registry = PartnerRegistry.withSamples(dir);
        assertThat(registry.all()).extracting(Partner::id).containsExactly("ville-rouen", "ville-test");
        assertThat(registry.find("ville-test")).isPresent();
        assertThat(registry.findByReferentEmail("referent@test.example")).map(Partner::id).hasValue("ville-test");
        assertThat(registry.findByReferentEmail("  Referent@Ville-Rouen.EXAMPLE ")).map(Partner::id).hasValue("ville-rouen");
        assertThat(registry.findByReferentEmail("<referent@ville-rouen.example>")).map(Partner::id).hasValue("ville-rouen");
        assertThat(registry.findByReferentEmail("eferent@ville-rouen.example")).isEmpty();
        assertThat(registry.findByReferentEmail("ville-rouen.example")).isEmpty();
        assertThat(registry.findByReferentEmail(null)).isEmpty();
    }

    @Test
    void productionRegistryHasNoSamplePartner() throws Exception {
        Files.writeString(dir.resolve("ville-test.json"), PartnerFixtures.json("ville-test"));
        assertThat(PartnerRegistry.fromDirectory(dir).all()).extracting(Partner::id).containsExactly("ville-test");
    }

    @Test
    void directoryFileReplacesTheSampleOfTheSameId() throws Exception {
        Files.writeString(dir.resolve("ville-rouen.json"), PartnerFixtures.json("ville-rouen")
                .replace("referent@test.example", "observatoire@ville-rouen.example"));
        PartnerRegistry registry = PartnerRegistry.withSamples(dir);
        assertThat(registry.find("ville-rouen").orElseThrow().referent().email()).isEqualTo("observatoire@ville-rouen.example");
        assertThat(registry.findByReferentEmail("referent@ville-rouen.example")).isEmpty();
    }

    @Test
    void conventionDefaultsFromArticle8() throws Exception {
        Files.writeString(dir.resolve("ville-test.json"), PartnerFixtures.json("ville-test"));
        Partner p = PartnerRegistry.fromDirectory(dir).find("ville-test").orElseThrow();
        assertThat(p.convention().termYears()).isEqualTo(1);
        assertThat(p.convention().tacitRenewal()).isTrue();
        assertThat(p.convention().terminationNoticeOn()).isNull();
        assertThat(p.requireSignedRequests()).isFalse();
    }

    @Test
    void sshKeyMayBeAPathRelativeToThePartnerFile() throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.copy(Path.of("certs-sample/ssh/ville-rouen.pub"), dir.resolve("keys/test.pub"));
        Files.writeString(dir.resolve("ville-test.json"), PartnerFixtures.json("ville-test")
                .replace(PartnerFixtures.SSH_KEY, "keys/test.pub"));
        assertThat(PartnerRegistry.fromDirectory(dir).find("ville-test").orElseThrow().sftpPublicKey())
                .isEqualTo(PartnerFixtures.SSH_KEY);
    }

    @Test
    void fingerprintWithSpacesIsNormalised() {
        Partner p = new Partner("ville-test", "Ville de Test", Convention.signed(LocalDate.of(2025, 1, 15)),
                new Partner.Referent("A B", "a@b.example", null, null), PartnerFixtures.SSH_KEY,
                "5b7d 4fcb bebf 3f8d 41c9  aa68 dfe5 8881 48db 5406", Set.of(Channel.SFTP), true,
                List.of(new Partner.Territory("76540", Partner.TerritoryKind.COMMUNE, "Rouen")));
        assertThat(p.pgpFingerprint()).isEqualTo(PartnerFixtures.FPR);
        assertThat(p.isPgpKey(PartnerFixtures.FPR.toLowerCase())).isTrue();
        assertThat(p.isPgpKey("54543E8018AEBFD50B3E8D9E13EA35FE6A130ABC")).isFalse();
    }

    private void assertBadFile(String json, String... messageParts) throws Exception {
        Files.writeString(dir.resolve("ville-test.json"), json);
        assertThatThrownBy(() -> PartnerRegistry.fromDirectory(dir))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("ville-test.json")
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void badFingerprintNamesFileAndField() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace(PartnerFixtures.FPR, "5B7D4FCBBEBF3F8D41C9AA68DFE5888148DB540"),
                "field 'pgpFingerprint'", "40 hexadecimal");
        assertBadFile(PartnerFixtures.json("ville-test").replace(PartnerFixtures.FPR, "ZB7D4FCBBEBF3F8D41C9AA68DFE5888148DB5406"),
                "field 'pgpFingerprint'");
    }

    @Test
    void misspeltFieldIsRefusedNotIgnored() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace("\"allowedChannels\"", "\"allowedChanels\""),
                "allowedChanels");
    }

    @Test
    void badDateNamesTheField() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace("2025-01-15", "15/01/2025"), "convention.signedOn");
    }

    @Test
    void unknownChannelNamesTheField() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace("\"SFTP\"", "\"FAX\""), "allowedChannels");
    }

    @Test
    void missingReferentEmailNamesTheField() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace("\"email\": \"referent@test.example\"", "\"email\": \"\""),
                "field 'referent.email'");
        assertBadFile(PartnerFixtures.json("ville-test").replace("referent@test.example", "Dominique <referent@test.example>"),
                "field 'referent.email'");
    }

    @Test
    void brokenSshKeyIsRefused() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace(PartnerFixtures.SSH_KEY, "ssh-ed25519 AAAAC3NzaC1yc2E= x"),
                "field 'sftpPublicKey'", "does not hold a ssh-ed25519 key");
        assertBadFile(PartnerFixtures.json("ville-test").replace(PartnerFixtures.SSH_KEY, "keys/missing.pub"),
                "field 'sftpPublicKey'", "cannot read");
    }

    @Test
    void fileNameMustMatchId() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-autre"), "field 'id'", "does not match the file name");
    }

    @Test
    void badTerritoryCodeNamesTheField() throws Exception {
        assertBadFile(PartnerFixtures.json("ville-test").replace("\"76451\"", "\"7645\""), "territories.code");
    }

    @Test
    void invalidJsonIsReported() throws Exception {
        assertBadFile("{ \"id\": ", "not valid JSON");
    }

    @Test
    void oneAddressCannotBeTheReferentOfTwoPartners() throws Exception {
        Files.writeString(dir.resolve("ville-a.json"), PartnerFixtures.json("ville-a"));
        Files.writeString(dir.resolve("ville-b.json"), PartnerFixtures.json("ville-b"));
        assertThatThrownBy(() -> PartnerRegistry.fromDirectory(dir))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("referent@test.example");
    }

    @Test
    void missingDirectoryIsAnErrorInProduction() {
        assertThatThrownBy(() -> PartnerRegistry.fromDirectory(dir.resolve("absent")))
                .isInstanceOf(PartnerConfigException.class)
                .hasMessageContaining("absent");
    }
}
