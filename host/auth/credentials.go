package auth

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
)

// Credentials are the OAuth parameters of one tools/call request, as
// ValidateMeta returns them.
//
// UserToken is a secret. Every way this package offers to print a
// Credentials leaves it out: String, every fmt verb (%v, %+v, %#v, %s, %d,
// ...), slog (LogValue) and encoding/json (MarshalJSON). Only the
// exchange's request body carries it.
type Credentials struct {
	UserID     string
	UserToken  string
	ProviderID string
}

// String returns the credentials without the userToken:
//
//	{userId="user_123" providerId="reddit" userToken=REDACTED}
func (c Credentials) String() string {
	return "{userId=" + strconv.Quote(c.UserID) +
		" providerId=" + strconv.Quote(c.ProviderID) +
		" userToken=REDACTED}"
}

// Format implements fmt.Formatter so that no verb, %#v and %d included,
// falls back to printing the fields.
func (c Credentials) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, "auth.Credentials")
	}
	io.WriteString(f, c.String())
}

// LogValue implements slog.LogValuer: a group of userId and providerId.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("userId", c.UserID),
		slog.String("providerId", c.ProviderID),
	)
}

// MarshalJSON encodes userId and providerId only. The exchange request is
// built from its own type, so this never hides the token from the backend.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		UserID     string `json:"userId"`
		ProviderID string `json:"providerId"`
	}{c.UserID, c.ProviderID})
}
