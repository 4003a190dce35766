package fedgate.disclosure;

/** Small hand-built tables with known answers. */
final class Tables {

    final DisclosureTable t = new DisclosureTable();

    Cell count(String indicator, String category, String level, String territory, double value, long allocataires,
               boolean infra) {
        return t.add(new Cell(t.nextId(), indicator, category, level, territory, territory, CellKind.COUNT, value, infra,
                allocataires, (long) value, -1, 0));
    }

    Cell amount(String indicator, String territory, double value, long contributors, double max) {
        return t.add(new Cell(t.nextId(), indicator, Cell.ENSEMBLE, "commune", territory, territory, CellKind.AMOUNT,
                value, false, 1000, contributors, -1, max));
    }

    static DisclosurePolicy policy() {
        return DisclosurePolicy.load();
    }
}
