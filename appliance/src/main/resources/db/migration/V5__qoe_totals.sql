-- QoE totals (issue 5, query speed): the history queries read pre-summed rows instead of summing
-- every (stream, site) row of a range at query time. Same columns as qoe_minute / qoe_hour; the
-- key uses '*' for "all": (stream, '*') is a stream's total over all sites, ('*', site) a site's
-- total over all streams, ('*', '*') the overall total. Real stream ids and site names are never
-- '*' (policy ids and site names are validated; the aggregator renames a literal '*').
--
-- Written with the detail rows, in the same transaction: the aggregator's flush adds each minute's
-- increments to the three totals; the rollup recomputes an hour's totals from its qoe_hour rows.
-- viewers in a total row is the SUM of its detail rows' viewers (in qoe_minute_total: distinct
-- peers per (stream, site) summed; in qoe_hour_total: the sum of each (stream, site)'s busiest
-- minute), i.e. exactly what summing the detail rows at query time gave before.
--
-- Also: an index on (site, time) of the detail tables, for a site's per-stream breakdown.
-- Existing rows are summed into the totals below.

CREATE TABLE qoe_minute_total (
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
-- A breakdown reads every site of stream '*' (or every stream of site '*') in a time range:
-- (stream_id, time) and (site, time) let it read only that range.
CREATE INDEX qoe_minute_total_stream_time ON qoe_minute_total (stream_id, minute_start);
CREATE INDEX qoe_minute_total_site_time ON qoe_minute_total (site, minute_start);
CREATE INDEX qoe_minute_total_time ON qoe_minute_total (minute_start);
CREATE INDEX qoe_minute_site_time ON qoe_minute (site, minute_start);

INSERT INTO qoe_minute_total (stream_id, site, minute_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT stream_id, '*', minute_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_minute GROUP BY stream_id, minute_start;
INSERT INTO qoe_minute_total (stream_id, site, minute_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT '*', site, minute_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_minute GROUP BY site, minute_start;
INSERT INTO qoe_minute_total (stream_id, site, minute_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT '*', '*', minute_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_minute GROUP BY minute_start;

CREATE TABLE qoe_hour_total (
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
-- A breakdown reads every site of stream '*' (or every stream of site '*') in a time range:
-- (stream_id, time) and (site, time) let it read only that range.
CREATE INDEX qoe_hour_total_stream_time ON qoe_hour_total (stream_id, hour_start);
CREATE INDEX qoe_hour_total_site_time ON qoe_hour_total (site, hour_start);
CREATE INDEX qoe_hour_total_time ON qoe_hour_total (hour_start);
CREATE INDEX qoe_hour_site_time ON qoe_hour (site, hour_start);

INSERT INTO qoe_hour_total (stream_id, site, hour_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT stream_id, '*', hour_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_hour GROUP BY stream_id, hour_start;
INSERT INTO qoe_hour_total (stream_id, site, hour_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT '*', site, hour_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_hour GROUP BY site, hour_start;
INSERT INTO qoe_hour_total (stream_id, site, hour_start, viewers, viewer_minutes, reports, http_bytes, p2p_bytes, uploaded_bytes, stalls, stall_ms, watch_ms, failures_timeout, failures_integrity, failures_gone, failures_no_holder, failures_policy, bitrate_kbps_sum, startup_le_250, startup_le_500, startup_le_1000, startup_le_1500, startup_le_2000, startup_le_3000, startup_le_4000, startup_le_6000, startup_le_8000, startup_le_10000, startup_le_15000, startup_le_30000, startup_gt_30000)
    SELECT '*', '*', hour_start, SUM(viewers), SUM(viewer_minutes), SUM(reports), SUM(http_bytes), SUM(p2p_bytes), SUM(uploaded_bytes), SUM(stalls), SUM(stall_ms), SUM(watch_ms), SUM(failures_timeout), SUM(failures_integrity), SUM(failures_gone), SUM(failures_no_holder), SUM(failures_policy), SUM(bitrate_kbps_sum), SUM(startup_le_250), SUM(startup_le_500), SUM(startup_le_1000), SUM(startup_le_1500), SUM(startup_le_2000), SUM(startup_le_3000), SUM(startup_le_4000), SUM(startup_le_6000), SUM(startup_le_8000), SUM(startup_le_10000), SUM(startup_le_15000), SUM(startup_le_30000), SUM(startup_gt_30000) FROM qoe_hour GROUP BY hour_start;
