-- API tokens expire and belong to the administrator who created them (created_by).
-- Tokens that exist before this migration expire 90 days after it runs.
ALTER TABLE api_token ADD COLUMN expires_at TIMESTAMP WITH TIME ZONE;
UPDATE api_token SET expires_at = DATEADD('DAY', 90, CURRENT_TIMESTAMP);
ALTER TABLE api_token ALTER COLUMN expires_at SET NOT NULL;

-- Tokens created with another token recorded 'token:<id>' as their creator; their owner becomes
-- the creator of that token. This resolves one step: a token made by a token that was itself
-- made by a token keeps a 'token:' owner, which is no administrator, and stops working.
UPDATE api_token t SET created_by = (SELECT p.created_by FROM api_token p WHERE 'token:' || p.id = t.created_by)
    WHERE t.created_by LIKE 'token:%'
      AND EXISTS (SELECT 1 FROM api_token p WHERE 'token:' || p.id = t.created_by);

-- Sign-in back-off is kept in memory by the appliance since this version (LoginThrottle); the old
-- lockout columns stay for older readers but are no longer set.
UPDATE admin_account SET failed_logins = 0, locked_until = NULL;
