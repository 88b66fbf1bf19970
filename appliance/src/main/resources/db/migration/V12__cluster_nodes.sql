-- Cluster mode (docs/scaling.md): each appliance sharing the database writes its live figures
-- here every cluster.sync-interval-ms; the console of any appliance shows the rows written
-- recently, so it sees the whole cluster. A stopped appliance's row goes stale and is ignored.
-- (V10 and V11 are taken by upload rules and DASH identity.)
CREATE TABLE cluster_node (
    node       VARCHAR(200)     PRIMARY KEY,
    url        VARCHAR(500)     NOT NULL,
    viewers    BIGINT           NOT NULL,
    streams    VARCHAR(1000000) NOT NULL,
    draining   BOOLEAN          NOT NULL,
    updated_at BIGINT           NOT NULL
);
