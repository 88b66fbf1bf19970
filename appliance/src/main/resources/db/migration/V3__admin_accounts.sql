-- Administrators of the console and the REST API. Passwords are Argon2id hashes in the PHC
-- string format; a one-time password must be changed at the first login.
CREATE TABLE admin_account (
    username             VARCHAR(64)  PRIMARY KEY,
    role                 VARCHAR(16)  NOT NULL,
    password_hash        VARCHAR(256) NOT NULL,
    must_change_password BOOLEAN      NOT NULL,
    disabled             BOOLEAN      NOT NULL DEFAULT FALSE,
    failed_logins        INT          NOT NULL DEFAULT 0,
    locked_until         TIMESTAMP WITH TIME ZONE,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    last_login_at        TIMESTAMP WITH TIME ZONE
);

-- API tokens for automation: bound to a role, stored as a SHA-256 of their 256-bit secret,
-- revocable. The id is the public part shown in lists and logs.
CREATE TABLE api_token (
    id           VARCHAR(32)  PRIMARY KEY,
    name         VARCHAR(100) NOT NULL,
    role         VARCHAR(16)  NOT NULL,
    secret_hash  VARCHAR(64)  NOT NULL,
    created_by   VARCHAR(64)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_used_at TIMESTAMP WITH TIME ZONE,
    revoked_at   TIMESTAMP WITH TIME ZONE
);
