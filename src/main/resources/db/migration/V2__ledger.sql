-- The audit ledger (DESIGN.md "Receipts and the usage-rights ledger"; docs/ledger.md): append-only, hash-chained.
-- Portable SQL: H2 2.x and PostgreSQL 13+. Times are stored with millisecond precision, so what is read back
-- re-hashes identically on both. details is plain text (never JSONB: it must come back byte for byte).
CREATE TABLE ledger_event (
    seq         BIGINT       NOT NULL PRIMARY KEY,
    at          TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    actor       VARCHAR(320) NOT NULL,
    request_id  VARCHAR(64),
    event_type  VARCHAR(64)  NOT NULL,
    details     VARCHAR      NOT NULL,
    prev_hash   CHAR(64)     NOT NULL,
    hash        CHAR(64)     NOT NULL
);
CREATE UNIQUE INDEX ux_ledger_event_hash ON ledger_event (hash);
CREATE INDEX ix_ledger_event_request ON ledger_event (request_id, seq);

-- One row: the last appended event. Appends lock it (SELECT ... FOR UPDATE), so that two threads or two gateway
-- instances sharing PostgreSQL append one after the other; verify compares it with the chain (truncated tail).
CREATE TABLE ledger_head (
    head_id     SMALLINT     NOT NULL PRIMARY KEY CHECK (head_id = 1),
    last_seq    BIGINT       NOT NULL,
    last_hash   CHAR(64)     NOT NULL
);
INSERT INTO ledger_head (head_id, last_seq, last_hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Chain heads signed with the CAF's OpenPGP key (armored detached signature over the canonical text
-- "fedgate-ledger-head seq=<seq> hash=<hash> at=<signed_at>"); each one is also a ledger.head.signed event.
CREATE TABLE ledger_signed_head (
    seq                 BIGINT       NOT NULL PRIMARY KEY,
    hash                CHAR(64)     NOT NULL,
    signed_at           TIMESTAMP(3) WITH TIME ZONE NOT NULL,
    signer_fingerprint  VARCHAR(64)  NOT NULL,
    signature           VARCHAR      NOT NULL
);
