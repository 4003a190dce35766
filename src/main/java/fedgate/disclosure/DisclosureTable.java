package fedgate.disclosure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The cells of one extract and every additive relation between them; the unit disclosure control works on. */
public final class DisclosureTable {

    private final List<Cell> cells = new ArrayList<>();
    private final List<Relation> relations = new ArrayList<>();

    /** Adds a cell; its id must be its index (use {@link #nextId()}). */
    public Cell add(Cell c) {
        if (c.id() != cells.size()) {
            throw new IllegalArgumentException("cell id must be " + cells.size());
        }
        cells.add(c);
        return c;
    }

    public int nextId() {
        return cells.size();
    }

    public void relate(int total, int... parts) {
        for (int p : parts) {
            check(p);
        }
        check(total);
        if (!cells.get(total).kind().additive()) {
            throw new IllegalArgumentException("relation over a non-additive cell: " + cells.get(total));
        }
        relations.add(new Relation(total, parts));
    }

    private void check(int id) {
        if (id < 0 || id >= cells.size()) {
            throw new IllegalArgumentException("no cell " + id);
        }
    }

    public Cell cell(int id) {
        return cells.get(id);
    }

    public List<Cell> cells() {
        return Collections.unmodifiableList(cells);
    }

    public List<Relation> relations() {
        return Collections.unmodifiableList(relations);
    }

    public long count(CellStatus s) {
        return cells.stream().filter(c -> c.status() == s).count();
    }
}
