-- Viewer tokens become JWTs (HS256) with per-policy limits, and a rotated secret stays accepted
-- for a grace period. Existing policies get the defaults: 24 h maximum token lifetime, 60 s
-- rotation grace, no limit of viewers per token.
ALTER TABLE stream_policy ADD COLUMN previous_token_secret VARCHAR(128);
ALTER TABLE stream_policy ADD COLUMN token_rotated_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE stream_policy ADD COLUMN token_max_lifetime_s BIGINT NOT NULL DEFAULT 86400;
ALTER TABLE stream_policy ADD COLUMN token_rotation_grace_s BIGINT NOT NULL DEFAULT 60;
ALTER TABLE stream_policy ADD COLUMN max_viewers_per_token INT NOT NULL DEFAULT 0;
