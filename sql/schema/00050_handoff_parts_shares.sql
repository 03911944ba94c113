-- +goose Up
-- A handed-off job carries the work back to its sender (docs/network.md): the parts the
-- partner used (part numbers, quantities, the serials taken out and put in) and the partner's
-- engineers with their shares of the job, as last reported, on the sender's copy of the job.
-- A report replaces the one before it (the newest by the partner's order version wins), so
-- a replayed report changes nothing.
ALTER TABLE network_jobs
  ADD COLUMN partner_parts jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN partner_shares jsonb NOT NULL DEFAULT '[]';
COMMENT ON COLUMN network_jobs.partner_parts IS 'sent: the parts the partner reported used on its order (network.JobPart: code, name, quantity, old and new serial).';
COMMENT ON COLUMN network_jobs.partner_shares IS 'sent: the partner''s engineers on its order and their shares (network.EngineerShare: name, role, basis points).';

-- +goose Down
ALTER TABLE network_jobs DROP COLUMN partner_parts, DROP COLUMN partner_shares;
