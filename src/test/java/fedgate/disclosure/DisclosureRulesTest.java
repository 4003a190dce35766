package fedgate.disclosure;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DisclosureRulesTest {

    @Test
    void irisAt99AllocatairesIsSuppressedAndAt100Published() {
        Tables b = new Tables();
        Cell at99 = b.count("ALLOC", "ensemble", "iris", "765400101", 99, 99, true);
        Cell at100 = b.count("ALLOC", "ensemble", "iris", "765400102", 100, 100, true);
        Cell commune = b.count("ALLOC", "ensemble", "commune", "76540", 99, 99, false);
        PrimaryRules.apply(b.t, Tables.policy());
        assertThat(at99.status()).isEqualTo(CellStatus.TERRITORY);
        assertThat(at100.status()).isEqualTo(CellStatus.PUBLISHED);
        assertThat(commune.status()).as("the threshold is for infra-communal territories only")
                .isEqualTo(CellStatus.PUBLISHED);
    }

    @Test
    void countsFromOneToFourAreSuppressedZeroAndFivePublished() {
        Tables b = new Tables();
        Cell zero = b.count("MINIMA", "AAH", "commune", "76005", 0, 500, false);
        Cell one = b.count("MINIMA", "AAH", "commune", "76020", 1, 500, false);
        Cell four = b.count("MINIMA", "AAH", "commune", "76056", 4, 500, false);
        Cell five = b.count("MINIMA", "AAH", "commune", "76069", 5, 500, false);
        PrimaryRules.apply(b.t, Tables.policy());
        assertThat(zero.status()).isEqualTo(CellStatus.PUBLISHED);
        assertThat(one.status()).isEqualTo(CellStatus.FREQUENCY);
        assertThat(four.status()).isEqualTo(CellStatus.FREQUENCY);
        assertThat(five.status()).isEqualTo(CellStatus.PUBLISHED);
    }

    @Test
    void amountDominatedByOneHouseholdIsSuppressed() {
        Tables b = new Tables();
        // 10 households, one of them receives 900 of 1 000 €: 90 % > 85 %
        Cell dominated = b.amount("PRESTA_MONTANT", "76005", 1000, 10, 900);
        Cell atLimit = b.amount("PRESTA_MONTANT", "76020", 1000, 10, 850);
        Cell fewContributors = b.amount("PRESTA_MONTANT", "76056", 1000, 3, 400);
        PrimaryRules.apply(b.t, Tables.policy());
        assertThat(dominated.status()).isEqualTo(CellStatus.DOMINANCE);
        assertThat(atLimit.status()).isEqualTo(CellStatus.PUBLISHED);
        assertThat(fewContributors.status()).isEqualTo(CellStatus.FREQUENCY);
    }

    @Test
    void quantilesNeedElevenHouseholdsAndSharesFivePeople() {
        DisclosureTable t = new DisclosureTable();
        Cell q10 = t.add(new Cell(0, "REV_UC_DECILE", "D5", "commune", "76005", "x", CellKind.QUANTILE, 900, false, 400, 10, -1, 0));
        Cell q11 = t.add(new Cell(1, "REV_UC_DECILE", "D5", "commune", "76020", "x", CellKind.QUANTILE, 900, false, 400, 11, -1, 0));
        Cell shareSmallNum = t.add(new Cell(2, "BAS_REV", "ensemble", "commune", "76056", "x", CellKind.SHARE, 2.0, false, 150, 150, 3, 0));
        Cell share = t.add(new Cell(3, "BAS_REV", "ensemble", "commune", "76069", "x", CellKind.SHARE, 20.0, false, 150, 150, 30, 0));
        PrimaryRules.apply(t, Tables.policy());
        assertThat(q10.status()).isEqualTo(CellStatus.FREQUENCY);
        assertThat(q11.status()).isEqualTo(CellStatus.PUBLISHED);
        assertThat(shareSmallNum.status()).isEqualTo(CellStatus.FREQUENCY);
        assertThat(share.status()).isEqualTo(CellStatus.PUBLISHED);
    }

    /** DESIGN.md rule 4: Rouen's total with all IRIS but one published gives the last IRIS by subtraction. */
    @Test
    void rouenTotalWithAllIrisButOnePublishedDoesNotRevealTheLastOne() {
        Tables b = new Tables();
        Cell rouen = b.count("ALLOC", "ensemble", "commune", "76540", 1000 + 300 + 250 + 60, 1610, false);
        Cell i1 = b.count("ALLOC", "ensemble", "iris", "765400101", 1000, 1000, true);
        Cell i2 = b.count("ALLOC", "ensemble", "iris", "765400102", 300, 300, true);
        Cell i3 = b.count("ALLOC", "ensemble", "iris", "765400103", 250, 250, true);
        Cell small = b.count("ALLOC", "ensemble", "iris", "765400104", 60, 60, true);
        b.t.relate(rouen.id(), i1.id(), i2.id(), i3.id(), small.id());

        DisclosurePolicy p = Tables.policy();
        DisclosureControl.Outcome o = DisclosureControl.protect(b.t, p);

        assertThat(small.status()).isEqualTo(CellStatus.TERRITORY);
        assertThat(o.auditPassed()).isTrue();
        // exactly one more IRIS hides it, the smallest able to: 250 (not the commune total)
        assertThat(i3.status()).isEqualTo(CellStatus.SECONDARY);
        assertThat(rouen.status()).isEqualTo(CellStatus.PUBLISHED);
        assertThat(i1.status()).isEqualTo(CellStatus.PUBLISHED);
        // the audit: the last IRIS now lies anywhere in [0, 310]
        assertThat(small.auditLow()).isEqualTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(small.auditHigh()).isEqualTo(310.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    /**
     * A deliberately weak pattern, audited as given (no greedy step, no repair): Rouen = 200 + 198 + 2 with only the
     * 2-allocataire IRIS suppressed. The total and the other two IRIS are published, so subtraction pins it exactly:
     * the audit must find the interval [2, 2] and fail. Suppressing one partner able to absorb it (198) makes the
     * pattern pass.
     */
    @Test
    void auditCatchesDeliberatelyWeakSuppressionPattern() {
        Tables b = new Tables();
        Cell rouen = b.count("ALLOC", "ensemble", "commune", "76540", 400, 400, false);
        Cell a = b.count("ALLOC", "ensemble", "iris", "765400101", 200, 200, true);
        Cell c = b.count("ALLOC", "ensemble", "iris", "765400102", 198, 198, true);
        Cell d = b.count("ALLOC", "ensemble", "iris", "765400103", 2, 2, true);
        b.t.relate(rouen.id(), a.id(), c.id(), d.id());
        DisclosureControl.suppress(d, CellStatus.FREQUENCY);
        LinearAudit.Result weak = DisclosureControl.auditOnly(b.t, Tables.policy());
        assertThat(weak.passed()).isFalse();
        assertThat(weak.failures()).singleElement().satisfies(f -> {
            assertThat(f.low()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6));
            assertThat(f.high()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-6));
        });
        DisclosureControl.suppress(c, CellStatus.SECONDARY);
        LinearAudit.Result fixed = DisclosureControl.auditOnly(b.t, Tables.policy());
        assertThat(fixed.passed()).isTrue();
        // d now lies anywhere in [0, 200]: 198 + 2 shared between the two hidden IRIS
        assertThat(d.auditLow()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(d.auditHigh()).isCloseTo(200.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void auditCatchesTwoDimensionalPatternThatGreedyPairingMisses() {
        // 2×2 table with margins: suppressing only the diagonal pair leaves every relation with two suppressed
        // cells (so the greedy step is satisfied) but the margins still pin each cell exactly when the others of
        // its row and column are published: x11 + x12 = R1 with x12 published ⇒ x11 known.
        Tables b = new Tables();
        Cell x11 = b.count("STRUCT_FAM", "a", "iris", "1", 3, 500, true);
        Cell x12 = b.count("STRUCT_FAM", "b", "iris", "1", 40, 500, true);
        Cell r1 = b.count("STRUCT_FAM", "ensemble", "iris", "1", 43, 500, true);
        Cell x21 = b.count("STRUCT_FAM", "a", "iris", "2", 50, 500, true);
        Cell x22 = b.count("STRUCT_FAM", "b", "iris", "2", 60, 500, true);
        Cell r2 = b.count("STRUCT_FAM", "ensemble", "iris", "2", 110, 500, true);
        Cell c1 = b.count("STRUCT_FAM", "a", "commune", "9", 53, 1000, false);
        Cell c2 = b.count("STRUCT_FAM", "b", "commune", "9", 100, 1000, false);
        Cell tot = b.count("STRUCT_FAM", "ensemble", "commune", "9", 153, 1000, false);
        b.t.relate(r1.id(), x11.id(), x12.id());
        b.t.relate(r2.id(), x21.id(), x22.id());
        b.t.relate(tot.id(), c1.id(), c2.id());
        b.t.relate(c1.id(), x11.id(), x21.id());
        b.t.relate(c2.id(), x12.id(), x22.id());
        b.t.relate(tot.id(), r1.id(), r2.id());
        DisclosureControl.Outcome o = DisclosureControl.protect(b.t, Tables.policy());
        assertThat(x11.status()).isEqualTo(CellStatus.FREQUENCY);
        assertThat(o.auditPassed()).isTrue();
        // every suppressed cell is protected: its interval is at least 5 wide
        for (LinearAudit.Interval i : o.audit().intervals()) {
            assertThat(i.width()).isGreaterThanOrEqualTo(5.0);
        }
        // the classic 4-cell rectangle
        assertThat(b.t.cells().stream().filter(Cell::suppressed).count()).isEqualTo(4);
    }

    /**
     * Protection ranges are for the sensitive cells (rules 1–3), as in τ-ARGUS: a secondary suppression holds nothing
     * secret of its own and must only not be recomputable (secondaryProtection, 1 unit). A zero made secondary under
     * a published zero total is pinned at [0, 0]: recomputable, the audit refuses it; a secondary cell in [0, 3] is
     * not recomputable and passes, where the sensitive protection (5) would have refused it.
     */
    @Test
    void secondaryCellMustNotBeRecomputableButNeedsNoProtectionRange() {
        DisclosurePolicy p = Tables.policy();
        Tables zeros = new Tables();
        Cell zeroTot = zeros.count("ENF_AGE", "ensemble", "commune", "9", 0, 120, false);
        Cell z1 = zeros.count("ENF_AGE", "0-2", "commune", "9", 0, 120, false);
        Cell z2 = zeros.count("ENF_AGE", "3-5", "commune", "9", 0, 120, false);
        zeros.t.relate(zeroTot.id(), z1.id(), z2.id());
        DisclosureControl.suppress(z1, CellStatus.SECONDARY);
        DisclosureControl.suppress(z2, CellStatus.SECONDARY);
        LinearAudit.Result pinned = DisclosureControl.auditOnly(zeros.t, p);
        assertThat(pinned.failures()).extracting(LinearAudit.Interval::cell).containsExactly(z1.id(), z2.id());
        assertThat(pinned.failures()).allSatisfy(f -> assertThat(f.width()).isCloseTo(0.0,
                org.assertj.core.data.Offset.offset(1e-6)));

        // a = 3 (frequency) with the zero c as its partner: both in [0, 3]; too narrow for a, enough for c
        Tables b = new Tables();
        Cell tot = b.count("STRUCT_FAM", "ensemble", "commune", "9", 120, 120, false);
        Cell a = b.count("STRUCT_FAM", "a", "commune", "9", 3, 120, false);
        Cell c = b.count("STRUCT_FAM", "b", "commune", "9", 0, 120, false);
        Cell d = b.count("STRUCT_FAM", "c", "commune", "9", 117, 120, false);
        b.t.relate(tot.id(), a.id(), c.id(), d.id());
        DisclosureControl.suppress(a, CellStatus.FREQUENCY);
        DisclosureControl.suppress(c, CellStatus.SECONDARY);
        LinearAudit.Result r = DisclosureControl.auditOnly(b.t, p);
        assertThat(r.intervals()).hasSize(2).allSatisfy(i -> assertThat(i.width()).isCloseTo(3.0,
                org.assertj.core.data.Offset.offset(1e-6)));
        assertThat(r.failures()).extracting(LinearAudit.Interval::cell).containsExactly(a.id());
        assertThat(p.requiredWidth(a)).isEqualTo(5.0);
        assertThat(p.requiredWidth(c)).isEqualTo(1.0);
    }

    /**
     * The case that kept the national table from converging: commune A's children are 1 + 1 + 2 + 4 = 8, every
     * category suppressed, its total too, and the category "0-2" has one partner commune C (7) whose own total is
     * published. C's "0-2" is then pinned by C's categories, and A's "0-2" by it: adding partners to A's own relations
     * cannot help (they are all suppressed). The rectangle {A 0-2, A total, C 0-2, C total} lets A's "0-2" rise by as
     * much as C's holds: the repair suppresses C's total, and the audit then finds A's "0-2" in [0, 8].
     */
    @Test
    void rectangleWithASiblingCommuneProtectsASmallCommunesCategory() {
        Tables b = new Tables();
        String[] cats = {"0-2", "3-5", "6-10", "11-14"};
        double[][] v = {{1, 1, 2, 4}, {10, 12, 9, 20}, {7, 15, 30, 8}};
        String[] communes = {"A", "B", "C"};
        Cell[][] x = new Cell[3][4];
        Cell[] tot = new Cell[3];
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                x[i][j] = b.count("ENF_AGE", cats[j], "commune", communes[i], v[i][j], 500, false);
                sum += v[i][j];
            }
            tot[i] = b.count("ENF_AGE", "ensemble", "commune", communes[i], sum, 500, false);
            b.t.relate(tot[i].id(), x[i][0].id(), x[i][1].id(), x[i][2].id(), x[i][3].id());
        }
        Cell[] epci = new Cell[4];
        double all = 0;
        for (int j = 0; j < 4; j++) {
            epci[j] = b.count("ENF_AGE", cats[j], "epci", "E", v[0][j] + v[1][j] + v[2][j], 1500, false);
            b.t.relate(epci[j].id(), x[0][j].id(), x[1][j].id(), x[2][j].id());
            all += epci[j].value();
        }
        Cell epciTot = b.count("ENF_AGE", "ensemble", "epci", "E", all, 1500, false);
        b.t.relate(epciTot.id(), epci[0].id(), epci[1].id(), epci[2].id(), epci[3].id());
        b.t.relate(epciTot.id(), tot[0].id(), tot[1].id(), tot[2].id());
        for (int j = 0; j < 4; j++) {
            DisclosureControl.suppress(x[0][j], CellStatus.FREQUENCY);
        }
        DisclosureControl.suppress(tot[0], CellStatus.SECONDARY);
        DisclosureControl.suppress(x[2][0], CellStatus.SECONDARY);
        DisclosurePolicy p = Tables.policy();
        Cell weak = x[0][0];
        assertThat(DisclosureControl.auditOnly(b.t, p).failures()).extracting(LinearAudit.Interval::cell)
                .contains(weak.id());
        assertThat(weak.auditHigh() - weak.auditLow()).isLessThan(5.0);

        assertThat(SecondarySuppression.strengthenRectangle(b.t, p, weak, LinearAudit.relationsByCell(b.t))).isTrue();
        assertThat(tot[2].status()).isEqualTo(CellStatus.SECONDARY);
        assertThat(b.t.cells().stream().filter(Cell::suppressed).count()).isEqualTo(7);
        assertThat(DisclosureControl.auditOnly(b.t, p).failures()).extracting(LinearAudit.Interval::cell)
                .doesNotContain(weak.id());
        assertThat(weak.auditLow()).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(weak.auditHigh()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void twoSmallCountsUnderPublishedTotalGetAThirdPartnerBeforeTheAudit() {
        // commune total 130 = 1 + 2 + 7 + 120: the counts 1 and 2 are suppressed by the frequency rule. The former
        // greedy step stopped there (two suppressed cells in the relation), and the audit found both in [0, 3], too
        // narrow for the 5 a count needs: a repair round. The "multiple" rule sees S = 3 < 5 at once and hides the
        // smallest part that covers what is missing (7), so the first audit passes.
        Tables b = new Tables();
        Cell tot = b.count("STRUCT_FAM", "ensemble", "commune", "9", 130, 130, false);
        Cell a = b.count("STRUCT_FAM", "a", "commune", "9", 1, 130, false);
        Cell c = b.count("STRUCT_FAM", "b", "commune", "9", 2, 130, false);
        Cell d = b.count("STRUCT_FAM", "c", "commune", "9", 7, 130, false);
        Cell e = b.count("STRUCT_FAM", "d", "commune", "9", 120, 130, false);
        b.t.relate(tot.id(), a.id(), c.id(), d.id(), e.id());
        DisclosurePolicy p = Tables.policy();
        PrimaryRules.apply(b.t, p);
        assertThat(a.suppressed() && c.suppressed()).isTrue();
        // the pattern the former greedy step left is refused by the audit
        LinearAudit.Result weak = DisclosureControl.auditOnly(b.t, p);
        assertThat(weak.passed()).isFalse();
        assertThat(weak.failures()).hasSize(2).allSatisfy(f -> assertThat(f.width()).isCloseTo(3.0,
                org.assertj.core.data.Offset.offset(1e-6)));
        assertThat(SecondarySuppression.toFixedPoint(b.t, p)).isEqualTo(1);
        assertThat(d.status()).isEqualTo(CellStatus.SECONDARY);
        assertThat(e.suppressed()).isFalse();
        assertThat(tot.suppressed()).isFalse();
        assertThat(DisclosureControl.auditOnly(b.t, p).passed()).isTrue();

        DisclosureControl.Outcome o = DisclosureControl.protect(b.t, p);
        assertThat(o.auditPassed()).isTrue();
        assertThat(o.rounds()).isEqualTo(1);
    }

    @Test
    void multipleRuleNeverPicksAPartnerTheRelationCannotProtect() {
        // a policy asking 5× a cell's value of every suppressed cell, secondary ones too: no part can ever be
        // protected by this relation, so the rule adds nothing (no cascade over the table) and the audit refuses.
        Tables b = new Tables();
        Cell tot = b.count("STRUCT_FAM", "ensemble", "commune", "9", 130, 130, false);
        Cell a = b.count("STRUCT_FAM", "a", "commune", "9", 1, 130, false);
        Cell c = b.count("STRUCT_FAM", "b", "commune", "9", 2, 130, false);
        Cell d = b.count("STRUCT_FAM", "c", "commune", "9", 7, 130, false);
        Cell e = b.count("STRUCT_FAM", "d", "commune", "9", 120, 130, false);
        b.t.relate(tot.id(), a.id(), c.id(), d.id(), e.id());
        DisclosurePolicy base = Tables.policy();
        DisclosurePolicy p = new DisclosurePolicy("x", "x", base.territoryMinAllocataires(), base.frequencyThreshold(),
                base.ratioMinPopulation(), base.quantileMinPopulation(), base.dominanceShare(),
                new DisclosurePolicy.Protection(5.0, 5, 50), new DisclosurePolicy.Protection(5.0, 5, 50), 1);
        PrimaryRules.apply(b.t, p);
        assertThat(SecondarySuppression.toFixedPoint(b.t, p)).isZero();
        assertThat(DisclosureControl.auditOnly(b.t, p).passed()).isFalse();
    }

    /**
     * The capped audit (LP cut into blocks, cells outside a block fixed at their true values) may only under-state
     * an interval: every capped interval lies inside the exact one, and a cell passing capped passes exactly.
     */
    @Test
    void cappedAuditIntervalsLieInsideTheExactOnes() {
        // one commune, 12 IRIS with 2 categories each, every IRIS cell suppressed: one component of 36 cells
        Tables c = new Tables();
        double sumA = 0;
        double sumB = 0;
        for (int k = 0; k < 12; k++) {
            sumA += 3 + 7 * k;
            sumB += 40 - 3 * k;
        }
        Cell tot = c.count("STRUCT_FAM", "ensemble", "commune", "76540", sumA + sumB, 5000, false);
        Cell ca = c.count("STRUCT_FAM", "a", "commune", "76540", sumA, 5000, false);
        Cell cb = c.count("STRUCT_FAM", "b", "commune", "76540", sumB, 5000, false);
        c.t.relate(tot.id(), ca.id(), cb.id());
        int[] ens = new int[12];
        int[] as = new int[12];
        int[] bs = new int[12];
        for (int k = 0; k < 12; k++) {
            double va = 3 + 7 * k;
            double vb = 40 - 3 * k;
            String iris = "7654001" + (10 + k);
            Cell e = c.count("STRUCT_FAM", "ensemble", "iris", iris, va + vb, 200, true);
            Cell x = c.count("STRUCT_FAM", "a", "iris", iris, va, 200, true);
            Cell y = c.count("STRUCT_FAM", "b", "iris", iris, vb, 200, true);
            c.t.relate(e.id(), x.id(), y.id());
            ens[k] = e.id();
            as[k] = x.id();
            bs[k] = y.id();
            DisclosureControl.suppress(x, CellStatus.FREQUENCY);
            DisclosureControl.suppress(y, CellStatus.SECONDARY);
            DisclosureControl.suppress(e, CellStatus.SECONDARY);
        }
        c.t.relate(tot.id(), ens);
        c.t.relate(ca.id(), as);
        c.t.relate(cb.id(), bs);

        LinearAudit.Result full = new LinearAudit(1000, 1).audit(c.t, Tables.policy());
        assertThat(full.components()).isEqualTo(1);
        assertThat(full.largestComponent()).isEqualTo(36);
        java.util.Map<Integer, LinearAudit.Interval> exactById = new java.util.HashMap<>();
        full.intervals().forEach(i -> exactById.put(i.cell(), i));
        LinearAudit.Result capped = new LinearAudit(5, 2).audit(c.t, Tables.policy());
        assertThat(capped.cappedComponents()).isEqualTo(1);
        assertThat(capped.intervals()).hasSize(36).allSatisfy(i -> {
            LinearAudit.Interval e = exactById.get(i.cell());
            assertThat(i.exact()).isFalse();
            assertThat(i.low()).isGreaterThanOrEqualTo(e.low() - 1e-6);
            assertThat(i.high()).isLessThanOrEqualTo(e.high() + 1e-6);
            if (i.enough()) {
                assertThat(e.enough()).isTrue();
            }
        });
    }
}
