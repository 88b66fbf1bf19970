-- QoE's "why not P2P" gains a reason: segments a viewer fetched over HTTP while it had paused its
-- P2P downloads because its own transfers from several neighbours kept stalling (the SDK's
-- download-health.js; report.failures.paused in docs/protocol.md). One counter column in every
-- QoE rollup table (qoe/QoeColumns.java); rows written before it count none.
ALTER TABLE qoe_minute ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE qoe_hour ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE qoe_minute_total ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE qoe_hour_total ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE qoe_minute_total_by_hour ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE qoe_hour_total_by_day ADD COLUMN failures_paused BIGINT DEFAULT 0 NOT NULL;
