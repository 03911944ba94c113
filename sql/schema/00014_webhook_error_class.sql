-- +goose Up
-- Why a webhook delivery failed, as tenants see it: a class and a short message of the
-- product's own words. The raw error of the attempt (which can name the platform's resolver
-- and network, "dial udp 10.0.0.2:53 ...") is written only to the server's log.
ALTER TABLE webhook_deliveries ADD COLUMN error_class text NOT NULL DEFAULT ''
  CHECK (error_class IN ('', 'dns_failure', 'timeout', 'connection_refused', 'connection_error', 'tls_error',
    'http_status', 'refused_address'));
COMMENT ON COLUMN webhook_deliveries.error_class IS 'Class of the last failed attempt (webhooks.ErrorClasses); empty when none failed.';

-- Deliveries recorded before: their raw errors become a class and the class's message (a
-- delivery cancelled when its endpoint was disabled keeps saying so).
UPDATE webhook_deliveries SET error_class = CASE
    WHEN error ~ '^HTTP [0-9]{3}' THEN 'http_status'
    WHEN error ~* 'private or reserved' THEN 'refused_address'
    WHEN error ~* 'no such host|lookup |server misbehaving' THEN 'dns_failure'
    WHEN error ~* 'timeout|deadline exceeded' THEN 'timeout'
    WHEN error ~* 'connection refused' THEN 'connection_refused'
    WHEN error ~* 'tls|x509|certificate' THEN 'tls_error'
    ELSE 'connection_error' END
WHERE error <> '' AND error <> 'the endpoint is disabled';
UPDATE webhook_deliveries SET error = CASE error_class
    WHEN 'refused_address' THEN 'the endpoint resolves to an address deliveries may not reach (private, loopback, link-local or reserved)'
    WHEN 'dns_failure' THEN 'the endpoint''s host name could not be resolved'
    WHEN 'timeout' THEN 'the endpoint did not answer in time'
    WHEN 'connection_refused' THEN 'the endpoint refused the connection'
    WHEN 'tls_error' THEN 'the TLS handshake with the endpoint failed'
    ELSE 'the connection to the endpoint failed' END ||
  CASE WHEN error LIKE '%; the endpoint was disabled after sustained failures'
    THEN '; the endpoint was disabled after sustained failures' ELSE '' END
WHERE error_class NOT IN ('', 'http_status');

-- +goose Down
ALTER TABLE webhook_deliveries DROP COLUMN error_class;
