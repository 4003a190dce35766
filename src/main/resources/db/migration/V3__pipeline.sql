-- The pipeline after intake: feasibility draft (ASSESSED), the Bureau d'Études' decision and feuillet 2
-- (APPROVED / DECLINED), the extract (EXTRACTED / FAILED). One row per request; status changes stay in
-- fed_request.status and fed_request_history. Portable SQL: H2 2.x and PostgreSQL 13+ (no reserved words).
CREATE TABLE fed_pipeline (
    request_id            VARCHAR(20)  NOT NULL PRIMARY KEY REFERENCES fed_request (id),
    draft_json            VARCHAR,
    assessed_at           TIMESTAMP WITH TIME ZONE,
    favorable             BOOLEAN,
    motif                 VARCHAR,
    decided_indicators    VARCHAR,
    delivery_delay        VARCHAR(500),
    decided_by            VARCHAR(320),
    decided_at            TIMESTAMP WITH TIME ZONE,
    external_approved_by  VARCHAR(320),
    external_approved_at  TIMESTAMP WITH TIME ZONE,
    feuillet2_json        VARCHAR,
    feuillet2_sent_at     TIMESTAMP WITH TIME ZONE,
    extract_queued_at     TIMESTAMP WITH TIME ZONE,
    extract_version       INTEGER,
    extract_dir           VARCHAR(1000),
    extracted_at          TIMESTAMP WITH TIME ZONE,
    failure_reason        VARCHAR
);
