"""Staff sign-in protection: lockout client address, TOTP two-factor, enforcement."""
