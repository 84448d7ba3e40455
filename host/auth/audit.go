package auth

import (
	"context"
	"log/slog"
	"time"
)

// auditExchange writes the one info-level audit line of an exchange:
//
//	msg="token exchange" userId=user_123 providerId=reddit userToken_fp=3f2a9c1e
//	outcome=ok status=200 latency_ms=41 attempts=1 shared=false
//
// outcome is "ok" or the error code, followed on failure by the error's
// details. userToken_fp is the Fingerprint of the userToken, to spot one temp
// token used twice; neither token itself is ever logged.
func auditExchange(ctx context.Context, log *slog.Logger, c Credentials, e *Error,
	status, attempts int, shared bool, latency time.Duration) {
	outcome := "ok"
	if e != nil {
		outcome = e.Code
	}
	attrs := []slog.Attr{
		slog.String("userId", c.UserID),
		slog.String("providerId", c.ProviderID),
		slog.String("userToken_fp", Fingerprint(c.UserToken)),
		slog.String("outcome", outcome),
		slog.Int("status", status),
		slog.Int64("latency_ms", latency.Milliseconds()),
		slog.Int("attempts", attempts),
		slog.Bool("shared", shared),
	}
	if e != nil {
		attrs = append(attrs, slog.String("details", e.Details))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "token exchange", attrs...)
}
