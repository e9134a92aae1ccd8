DROP TABLE IF EXISTS login_failures;
DROP TABLE IF EXISTS mfa_policy;
DROP TABLE IF EXISTS recovery_codes;
DROP TABLE IF EXISTS totp_credentials;
