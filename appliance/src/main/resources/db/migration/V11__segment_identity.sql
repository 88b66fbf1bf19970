-- A segment's identity keeps every query parameter of its URL except the per-viewer ones the
-- stream policy lists (tokens, signatures), so two segments that differ only in a query
-- parameter no longer collide. Existing policies get the default list (StreamPolicy.DEFAULT_VIEWER_PARAMS).
ALTER TABLE stream_policy ADD COLUMN viewer_params VARCHAR(2200) NOT NULL
    DEFAULT 'token,access_token,auth,authorization,sig,signature,expires,policy,key-pair-id,hdnts,hdnea,session,sessionid';
