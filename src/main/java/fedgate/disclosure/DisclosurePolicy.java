package fedgate.disclosure;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The versioned disclosure policy ({@code fedgate/disclosure/policy.json}), rules 1–5 of DESIGN.md.
 *
 * @param territoryMinAllocataires rule 1 (Art. 2): nothing on an infra-communal territory with fewer allocataires
 * @param frequencyThreshold       rule 2: a count (or the contributors of an amount) from 1 to threshold-1 is secret
 * @param ratioMinPopulation       rule 2: a rate or share needs at least this population
 * @param quantileMinPopulation    rule 2: an income quantile needs at least this many households
 * @param dominanceShare           rule 3: one household above this share of an amount makes it secret
 * @param protection               rule 5: width the audited interval of a sensitive cell (suppressed by rules 1–3)
 *                                 must reach
 * @param secondaryProtection      rule 4/5: width the audited interval of a secondary suppression must reach — such a
 *                                 cell holds nothing secret of its own, it must only not be recomputable
 * @param auditMaxRounds           audit → repair rounds allowed; an extract still failing after them is refused
 */
public record DisclosurePolicy(String version, String description, int territoryMinAllocataires,
                               int frequencyThreshold, int ratioMinPopulation, int quantileMinPopulation,
                               double dominanceShare, Protection protection, Protection secondaryProtection,
                               int auditMaxRounds) {

    public static final String RESOURCE = "/fedgate/disclosure/policy.json";

    /**
     * The audited interval [min, max] of a suppressed cell of value v must be at least
     * {@code max(relative * |v|, absolute)} wide, absolute being {@code absoluteCount} for counts and
     * {@code absoluteAmount} (euros) for amounts.
     */
    public record Protection(double relative, double absoluteCount, double absoluteAmount) {
    }

    public DisclosurePolicy {
        if (territoryMinAllocataires < 1 || frequencyThreshold < 1 || ratioMinPopulation < 1
                || quantileMinPopulation < 1 || dominanceShare <= 0 || dominanceShare > 1 || protection == null
                || auditMaxRounds < 1 || invalid(protection) || invalid(secondaryProtection)) {
            throw new IllegalArgumentException("invalid disclosure policy " + version);
        }
    }

    private static boolean invalid(Protection p) {
        return p == null || p.relative() < 0 || p.absoluteCount() < 0 || p.absoluteAmount() < 0;
    }

    public static DisclosurePolicy load() {
        try (InputStream in = DisclosurePolicy.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("disclosure policy missing from classpath: " + RESOURCE);
            }
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DisclosurePolicy read(InputStream in) throws IOException {
        return new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .readValue(in, DisclosurePolicy.class);
    }

    /**
     * The width the audited interval of this suppressed cell must reach: the protection range of a sensitive cell
     * (rules 1–3), the secondary one otherwise — also for a published cell, which could only become secondary.
     */
    public double requiredWidth(Cell c) {
        Protection p = c.status().primary() ? protection : secondaryProtection;
        double abs = c.kind() == CellKind.AMOUNT ? p.absoluteAmount() : p.absoluteCount();
        return Math.max(p.relative() * Math.abs(c.value()), abs);
    }
}
