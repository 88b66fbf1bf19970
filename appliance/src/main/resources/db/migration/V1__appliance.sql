-- The appliance's identity: one row, written by the first start against a fresh database.
CREATE TABLE appliance (
    id              INT PRIMARY KEY CHECK (id = 1),
    installation_id UUID NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by      VARCHAR(64) NOT NULL
);
