package fedgate.extract;

/**
 * One territory of the geography. {@code parent} is the code of the enclosing territory one level up (null at the
 * top). {@code population} is the INSEE municipal population, used for coverage rates.
 */
public record Territory(Level level, String code, String label, String parent, long population) {
}
