-- QoE breakdown totals (issue 5, query speed): a history answer's per-stream and per-site
-- breakdowns sum every (stream, '*') and ('*', site) total row of the range. Over 24 h of minutes
-- that is 216,000 rows at 50 streams x 100 sites, over 30 days of hours 108,000; these tables hold
-- the same sums per hour and per day, so a breakdown reads one row per stream or site and period
-- of the coarser table, and only the partial periods at either end from the finer one.
--
-- qoe_minute_total_by_hour: the (stream, '*') and ('*', site) rows of qoe_minute_total summed per
--   hour. Written by the aggregator's flush in the same transaction as the minute rows, so it
--   always equals the sum of its minutes; pruning with the minutes recomputes the hour the
--   retention cut-off falls in.
-- qoe_hour_total_by_day: the same rows of qoe_hour_total summed per UTC day. Recomputed by the
--   rollup for the day of each hour it rolls up, in the same transaction; pruned like the hours.
--
-- No viewers column: breakdowns report average viewers (viewer_minutes / minutes), never a peak.
-- No ('*', '*') rows: the overall series reads qoe_minute_total / qoe_hour_total.

CREATE TABLE qoe_minute_total_by_hour (
    stream_id          VARCHAR(256) NOT NULL,
    site               VARCHAR(256) NOT NULL,
    hour_start         BIGINT       NOT NULL,
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
CREATE INDEX qoe_minute_total_by_hour_stream_time ON qoe_minute_total_by_hour (stream_id, hour_start);
CREATE INDEX qoe_minute_total_by_hour_site_time ON qoe_minute_total_by_hour (site, hour_start);

INSERT INTO qoe_minute_total_by_hour (stream_id, site, hour_start, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT stream_id, site, minute_start / 3600 * 3600, SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_minute_total
    WHERE NOT (stream_id = '*' AND site = '*') GROUP BY stream_id, site, minute_start / 3600 * 3600;

CREATE TABLE qoe_hour_total_by_day (
    stream_id          VARCHAR(256) NOT NULL,
    site               VARCHAR(256) NOT NULL,
    day_start          BIGINT       NOT NULL,
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
    PRIMARY KEY (stream_id, site, day_start)
);
CREATE INDEX qoe_hour_total_by_day_stream_time ON qoe_hour_total_by_day (stream_id, day_start);
CREATE INDEX qoe_hour_total_by_day_site_time ON qoe_hour_total_by_day (site, day_start);

INSERT INTO qoe_hour_total_by_day (stream_id, site, day_start, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT stream_id, site, hour_start / 86400 * 86400, SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_hour_total
    WHERE NOT (stream_id = '*' AND site = '*') GROUP BY stream_id, site, hour_start / 86400 * 86400;
