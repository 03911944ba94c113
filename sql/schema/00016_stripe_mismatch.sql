-- +goose Up
-- A Stripe event whose tenant disagrees with the owner the platform recorded (the purchase it
-- created, or an object already bound to another tenant or purchase) is recorded as a
-- mismatch, alerted, and applied nowhere.
ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_outcome_check;
ALTER TABLE stripe_events ADD CONSTRAINT stripe_events_outcome_check
  CHECK (outcome IN ('received', 'applied', 'ignored', 'unknown_tenant', 'deferred', 'mismatch'));

-- +goose Down
UPDATE stripe_events SET outcome = 'ignored' WHERE outcome = 'mismatch';
ALTER TABLE stripe_events DROP CONSTRAINT stripe_events_outcome_check;
ALTER TABLE stripe_events ADD CONSTRAINT stripe_events_outcome_check
  CHECK (outcome IN ('received', 'applied', 'ignored', 'unknown_tenant', 'deferred'));
