-- The ledger's hashes are random: kept in a B-tree index, every append touched a random page of it, which H2's
-- MVStore rewrites in full at every commit (IntakeStoreBenchmark: 930 → 1 045 intake transactions/s without it).
-- Nothing looks an event up by its hash in normal work: verify walks the chain in seq order and reads the hash column
-- only when the chain is already broken (to tell a reordered event from a replaced one), once.
DROP INDEX IF EXISTS ux_ledger_event_hash;
