-- +goose Up
-- Devices signed in (docs/field.md): a session records when it was last used (at most once a
-- minute), so the user can tell their devices apart and sign one out. A part returned from an
-- engineer's van says why (not used, the wrong part, faulty, other with a note in reason).
ALTER TABLE sessions ADD COLUMN last_used_at timestamptz;
COMMENT ON COLUMN sessions.last_used_at IS 'When a request last came with the session (updated at most once a minute); NULL until its first use after sign-in.';

ALTER TABLE stock_movements
  ADD COLUMN return_reason text NOT NULL DEFAULT ''
    CHECK (return_reason IN ('', 'unused', 'wrong_part', 'faulty', 'other'));
COMMENT ON COLUMN stock_movements.return_reason IS 'Why parts came back from an engineer''s van (requisition_return from a van): unused, wrong_part, faulty or other; the note is in reason.';

-- +goose Down
ALTER TABLE stock_movements DROP COLUMN return_reason;
ALTER TABLE sessions DROP COLUMN last_used_at;
