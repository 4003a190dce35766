-- The history's identity values handed out from memory, 1000 at a time on the embedded H2 (its default, 32, wrote
-- and committed the sequence to the file every 32 history entries: with the intake's group commit, about one extra
-- store for every two batches). H2 keeps one sequence per database, so values stay in insertion order; a crash only
-- leaves a gap. PostgreSQL keeps its default (1): its cache is per session and would interleave the values of
-- concurrent sessions, and the history is read in seq order.
ALTER TABLE fed_request_history ALTER COLUMN seq SET CACHE ${history_seq_cache};
