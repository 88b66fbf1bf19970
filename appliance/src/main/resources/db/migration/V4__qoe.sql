-- QoE rollups (docs/protocol.md, "report"). Raw reports are never stored: the aggregator sums
-- them in memory per stream, site and minute and writes closed minutes in batches; the rollup job
-- sums complete hours of minutes into qoe_hour and prunes both tables by their retention.
--
-- minute_start / hour_start: epoch seconds (UTC) of the period's start. Integers keep range scans
-- and hour grouping (minute_start / 3600 * 3600) cheap and free of time-zone conversions.
-- viewers: distinct peers that reported in the minute; in qoe_hour, the busiest minute's count.
-- viewer_minutes: the sum of the minutes' viewers (equal to viewers in qoe_minute), so averages
--   over any range are viewer_minutes / minutes.
-- bitrate_kbps_sum: the sum of the reported rendition bitrates; divided by reports it is the
--   average bitrate played.
-- startup_*: how many first reports gave a startup time in each bucket, in ms:
--   startup_le_250 counts [0, 250], startup_le_500 counts (250, 500], …, startup_gt_30000 the rest.

CREATE TABLE qoe_minute (
    stream_id          VARCHAR(256) NOT NULL,
    site               VARCHAR(256) NOT NULL,
    minute_start       BIGINT       NOT NULL,
    viewers            INT          NOT NULL,
    viewer_minutes     BIGINT       NOT NULL,
    reports            BIGINT       NOT NULL,
    http_bytes         BIGINT       NOT NULL,
    p2p_bytes          BIGINT       NOT NULL,
    uploaded_bytes     BIGINT       NOT NULL,
    stalls             BIGINT       NOT NULL,
    stall_ms           BIGINT       NOT NULL,
    watch_ms           BIGINT       NOT NULL,
    failures_timeout   BIGINT       NOT NULL,
    failures_integrity BIGINT       NOT NULL,
    failures_gone      BIGINT       NOT NULL,
    failures_no_holder BIGINT       NOT NULL,
    failures_policy    BIGINT       NOT NULL,
    bitrate_kbps_sum   BIGINT       NOT NULL,
    startup_le_250     BIGINT       NOT NULL,
    startup_le_500     BIGINT       NOT NULL,
    startup_le_1000    BIGINT       NOT NULL,
    startup_le_1500    BIGINT       NOT NULL,
    startup_le_2000    BIGINT       NOT NULL,
    startup_le_3000    BIGINT       NOT NULL,
    startup_le_4000    BIGINT       NOT NULL,
    startup_le_6000    BIGINT       NOT NULL,
    startup_le_8000    BIGINT       NOT NULL,
    startup_le_10000   BIGINT       NOT NULL,
    startup_le_15000   BIGINT       NOT NULL,
    startup_le_30000   BIGINT       NOT NULL,
    startup_gt_30000   BIGINT       NOT NULL,
    PRIMARY KEY (stream_id, site, minute_start)
);
CREATE INDEX qoe_minute_time ON qoe_minute (minute_start);

CREATE TABLE qoe_hour (
    stream_id          VARCHAR(256) NOT NULL,
    site               VARCHAR(256) NOT NULL,
    hour_start         BIGINT       NOT NULL,
    viewers            INT          NOT NULL,
    viewer_minutes     BIGINT       NOT NULL,
    reports            BIGINT       NOT NULL,
    http_bytes         BIGINT       NOT NULL,
    p2p_bytes          BIGINT       NOT NULL,
    uploaded_bytes     BIGINT       NOT NULL,
    stalls             BIGINT       NOT NULL,
    stall_ms           BIGINT       NOT NULL,
    watch_ms           BIGINT       NOT NULL,
    failures_timeout   BIGINT       NOT NULL,
    failures_integrity BIGINT       NOT NULL,
    failures_gone      BIGINT       NOT NULL,
    failures_no_holder BIGINT       NOT NULL,
    failures_policy    BIGINT       NOT NULL,
    bitrate_kbps_sum   BIGINT       NOT NULL,
    startup_le_250     BIGINT       NOT NULL,
    startup_le_500     BIGINT       NOT NULL,
    startup_le_1000    BIGINT       NOT NULL,
    startup_le_1500    BIGINT       NOT NULL,
    startup_le_2000    BIGINT       NOT NULL,
    startup_le_3000    BIGINT       NOT NULL,
    startup_le_4000    BIGINT       NOT NULL,
    startup_le_6000    BIGINT       NOT NULL,
    startup_le_8000    BIGINT       NOT NULL,
    startup_le_10000   BIGINT       NOT NULL,
    startup_le_15000   BIGINT       NOT NULL,
    startup_le_30000   BIGINT       NOT NULL,
    startup_gt_30000   BIGINT       NOT NULL,
    PRIMARY KEY (stream_id, site, hour_start)
);
CREATE INDEX qoe_hour_time ON qoe_hour (hour_start);
