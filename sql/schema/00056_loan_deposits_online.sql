-- +goose Up
-- A loaner's deposit paid online (docs/loaners.md): besides cash and a card terminal, the
-- customer pays the deposit on a Stripe Checkout page (the counter shows its link as a QR
-- code). Its states: pending (the page is open, nothing is paid yet), held (Stripe confirmed
-- it), refunding (the refund is asked of Stripe by a job), refund_failed (Stripe refused it;
-- staff ask again), refunded, kept, and unpaid (the unit came back before the deposit was
-- paid: the page was closed). The Stripe objects are kept to refund and to route events.

ALTER TABLE loans DROP CONSTRAINT loans_deposit_method_check;
ALTER TABLE loans ADD CONSTRAINT loans_deposit_method_check CHECK (deposit_method IN ('', 'cash', 'card', 'online'));
ALTER TABLE loans DROP CONSTRAINT loans_deposit_status_check;
ALTER TABLE loans ADD CONSTRAINT loans_deposit_status_check
  CHECK (deposit_status IN ('', 'pending', 'held', 'refunding', 'refund_failed', 'refunded', 'kept', 'unpaid'));
ALTER TABLE loans ADD COLUMN stripe_session_id text NOT NULL DEFAULT '';
ALTER TABLE loans ADD COLUMN stripe_payment_intent_id text NOT NULL DEFAULT '';
ALTER TABLE loans ADD COLUMN stripe_refund_id text NOT NULL DEFAULT '';
-- Only an online deposit waits for Stripe; a pending deposit's loan is out, an unpaid one's is back.
ALTER TABLE loans ADD CONSTRAINT loans_deposit_online_check
  CHECK (deposit_method = 'online' OR deposit_status NOT IN ('pending', 'refunding', 'refund_failed', 'unpaid'));
ALTER TABLE loans ADD CONSTRAINT loans_deposit_pending_check CHECK (deposit_status <> 'pending' OR status = 'out');
ALTER TABLE loans ADD CONSTRAINT loans_deposit_unpaid_check CHECK (deposit_status <> 'unpaid' OR status = 'returned');
COMMENT ON COLUMN loans.stripe_session_id IS 'The Checkout Session of an online deposit (the latest page made for it).';

-- +goose Down
ALTER TABLE loans DROP CONSTRAINT loans_deposit_unpaid_check;
ALTER TABLE loans DROP CONSTRAINT loans_deposit_pending_check;
ALTER TABLE loans DROP CONSTRAINT loans_deposit_online_check;
ALTER TABLE loans DROP COLUMN stripe_refund_id;
ALTER TABLE loans DROP COLUMN stripe_payment_intent_id;
ALTER TABLE loans DROP COLUMN stripe_session_id;
ALTER TABLE loans DROP CONSTRAINT loans_deposit_status_check;
ALTER TABLE loans ADD CONSTRAINT loans_deposit_status_check CHECK (deposit_status IN ('', 'held', 'refunded', 'kept'));
ALTER TABLE loans DROP CONSTRAINT loans_deposit_method_check;
ALTER TABLE loans ADD CONSTRAINT loans_deposit_method_check CHECK (deposit_method IN ('', 'cash', 'card'));
