-- The admin's network map: which address ranges form which site (office).
CREATE TABLE site_range (
    cidr       VARCHAR(64)  PRIMARY KEY,
    site       VARCHAR(64)  NOT NULL,
    label      VARCHAR(200) NOT NULL DEFAULT '',
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX site_range_site ON site_range (site);

-- Per-stream policy. A viewer's stream matches by explicit id, else by the longest matching
-- manifest URL pattern; streams that match nothing get the default policy from the configuration.
CREATE TABLE stream_policy (
    id                 VARCHAR(64)   PRIMARY KEY,
    url_pattern        VARCHAR(2048),
    p2p_mode           VARCHAR(16)   NOT NULL DEFAULT 'on',
    max_neighbours     INT           NOT NULL DEFAULT 6,
    upload_on_cellular BOOLEAN       NOT NULL DEFAULT FALSE,
    allowed_origins    VARCHAR(4096) NOT NULL DEFAULT '',
    security_level     VARCHAR(16)   NOT NULL DEFAULT 'basic',
    site_groups        VARCHAR(4096) NOT NULL DEFAULT '',
    token_secret       VARCHAR(128),
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL
);

-- P2P mode overrides for single sites of a stream.
CREATE TABLE stream_site_mode (
    stream_id VARCHAR(64) NOT NULL REFERENCES stream_policy (id) ON DELETE CASCADE,
    site      VARCHAR(64) NOT NULL,
    p2p_mode  VARCHAR(16) NOT NULL,
    PRIMARY KEY (stream_id, site)
);
