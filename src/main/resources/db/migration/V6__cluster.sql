-- Leader election of the pollers (IMAP, SFTP inbox, crash-recovery timers) between gateway instances sharing this
-- database: one lease row per namespace. An instance holds the lease while it renews it before expires_at; times are
-- the database's clock (epoch milliseconds), never an instance's, so clock skew between machines does not matter.
CREATE TABLE fed_cluster_lease (
    namespace   VARCHAR(100) NOT NULL PRIMARY KEY,
    holder      VARCHAR(200) NOT NULL,
    acquired_at BIGINT       NOT NULL,
    renewed_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
