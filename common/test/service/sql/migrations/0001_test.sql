-- The test service's own table, written by its Echo handler next to the outbox and audit rows.
CREATE TABLE echoes (
  id         bigserial PRIMARY KEY,
  message    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
