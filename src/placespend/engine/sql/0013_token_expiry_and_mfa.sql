-- API tokens expire (OWASP ASVS 4.0.3 V3.5): a leaked token stops working on its own. Tokens issued before
-- expiry existed keep working for 90 days after their creation, and never less than 30 days after this upgrade,
-- so a script that uses one is not cut off by the upgrade itself.
ALTER TABLE api_tokens ADD COLUMN IF NOT EXISTS expires_at TIMESTAMP;
UPDATE api_tokens SET expires_at = greatest(created_at + INTERVAL 90 DAY,
                                            CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP) + INTERVAL 30 DAY)
WHERE expires_at IS NULL;  -- run again (a test steps a workspace back), it leaves set expiries alone

-- A second factor (TOTP, RFC 6238) for a user who enrolled one (ASVS V2.8, V4.3.1). `confirmed_at` is NULL
-- until the user proves, with a code, that their authenticator holds the secret; `last_step` is the time step
-- of the last code accepted, so a code is not accepted twice (ASVS 2.8.4).
CREATE TABLE IF NOT EXISTS user_totp (
    user_id INTEGER PRIMARY KEY,
    secret VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT
);
